"""A bare Litestar hello-world, served the same way as libspace, to compare request rates in one run."""

from litestar import Litestar, get


@get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


def create_app() -> Litestar:
    return Litestar(route_handlers=[hello])
