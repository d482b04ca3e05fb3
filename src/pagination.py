"""Every list endpoint takes ``page`` and ``page_size`` (up to 500) and answers ``{items, total, page, page_size}``."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

from src import bounds

T = TypeVar("T")

MAX_PAGE_SIZE = 500

PageNumber = Annotated[int, QueryParameter(ge=1, le=bounds.INT32_MAX, description="Page number, from 1")]
PageSize = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Items per page, up to 500")]


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def paginate(items: list[T] | tuple[T, ...], page: int, page_size: int) -> Page[T]:
    start = (page - 1) * page_size
    return Page(items=list(items[start : start + page_size]), total=len(items), page=page, page_size=page_size)


def offset(page: int, page_size: int) -> int:
    return (page - 1) * page_size
