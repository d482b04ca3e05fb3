"""The interest survey and the texts about profession types, written by this project in Russian and English.

This is content, not interface: it is kept here in both languages rather than in the gettext catalogue, and
picked by :func:`src.i18n.current_language`. Twenty forced-choice items each set two types against each other
(every pair of the five types twice, so each type can win at most 8 points); five rated items (0 to 4) ask
about each type directly. Every type can therefore score from 0 to 12.
"""

from __future__ import annotations

from dataclasses import dataclass

from src.guidance.constants import RATED_MAX, TYPES

CHOICE = "choice"
RATED = "rated"


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    type: str | None  # the type a forced choice counts for; None for rated items (the value is the points)
    ru: str
    en: str


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: str
    ru: str
    en: str
    options: tuple[Option, ...]
    type: str | None = None  # for rated items: the type the points go to


CHOICE_PROMPT = {"ru": "Что бы вы выбрали?", "en": "Which would you rather do?"}

# (first type, Russian, English), (second type, Russian, English)
_PAIRS = [
    (("nature", "Ухаживать за животными в ветеринарной клинике", "Look after animals at a veterinary clinic"),
     ("technology", "Чинить и настраивать велосипеды и самокаты", "Repair and tune bicycles and scooters")),
    (("people", "Помочь младшему школьнику разобраться в трудной теме", "Help a younger pupil understand a difficult topic"),
     ("signs", "Найти и исправить ошибки в большой таблице с числами", "Find and fix the mistakes in a big table of numbers")),
    (("art", "Нарисовать иллюстрации к книге", "Draw the illustrations for a book"),
     ("nature", "Выращивать растения в теплице и наблюдать, как они растут", "Grow plants in a greenhouse and watch how they develop")),
    (("technology", "Собрать робота из конструктора", "Build a robot from a kit"),
     ("signs", "Написать программу, которая сортирует список книг", "Write a program that sorts a list of books")),
    (("people", "Организовать школьный праздник и собрать на него людей", "Organise a school celebration and bring people to it"),
     ("art", "Сочинить музыку или текст песни", "Compose music or write song lyrics")),
    (("signs", "Выучить иностранный язык и переводить тексты", "Learn a foreign language and translate texts"),
     ("nature", "Изучать горные породы и минералы в экспедиции", "Study rocks and minerals on an expedition")),
    (("technology", "Разобраться, как устроен двигатель автомобиля", "Work out how a car engine works"),
     ("people", "Выслушать друга и помочь ему помириться с кем-то", "Listen to a friend and help them make up after a quarrel")),
    (("art", "Сыграть роль в спектакле", "Play a part in a theatre show"),
     ("signs", "Составить смету поездки для всего класса", "Draw up the budget of a trip for the whole class")),
    (("nature", "Следить за чистотой воды в Зее и Амуре", "Monitor the water quality of the Zeya and the Amur"),
     ("people", "Встречать посетителей музея и отвечать на их вопросы", "Welcome museum visitors and answer their questions")),
    (("art", "Придумать, как будет выглядеть сайт", "Design how a website looks"),
     ("technology", "Настроить компьютерную сеть или 3D-принтер", "Set up a computer network or a 3D printer")),
    (("signs", "Решать логические задачи и головоломки", "Solve logic problems and puzzles"),
     ("people", "Тренировать детскую спортивную команду", "Coach a children's sports team")),
    (("nature", "Ухаживать за городским парком или садом", "Take care of a city park or garden"),
     ("art", "Фотографировать город и обрабатывать снимки", "Photograph the city and edit the pictures")),
    (("technology", "Управлять трактором или комбайном и обслуживать его", "Drive and maintain a tractor or a combine harvester"),
     ("nature", "Воспитывать и дрессировать собак", "Raise and train dogs")),
    (("signs", "Вести учёт и внимательно проверять документы", "Keep records and check documents carefully"),
     ("technology", "Работать на станках в мастерской", "Work the machines in a workshop")),
    (("art", "Писать рассказы или стихи", "Write stories or poems"),
     ("people", "Ухаживать за больными в больнице", "Care for patients in a hospital")),
    (("people", "Консультировать покупателей в магазине", "Advise customers in a shop"),
     ("technology", "Собрать модель самолёта или квадрокоптер", "Build a model aircraft or a drone")),
    (("nature", "Исследовать микроорганизмы под микроскопом", "Study microbes under a microscope"),
     ("signs", "Строить графики и анализировать статистику", "Make charts and analyse statistics")),
    (("signs", "Чертить карты и схемы", "Draw maps and diagrams"),
     ("art", "Танцевать или ставить танцевальные номера", "Dance or choreograph dance numbers")),
    (("people", "Научить группу детей новой игре", "Teach a group of children a new game"),
     ("nature", "Работать в заповеднике и вести учёт птиц", "Work in a nature reserve counting birds")),
    (("technology", "Ремонтировать бытовую технику", "Repair household appliances"),
     ("art", "Оформлять интерьер или придумывать одежду", "Decorate interiors or design clothes")),
]

_RATED = [
    ("nature", "Мне нравится проводить время на природе, с растениями и животными", "I enjoy spending time outdoors with plants and animals"),
    ("technology", "Мне нравится разбирать устройства, чтобы понять, как они работают", "I enjoy taking devices apart to see how they work"),
    ("people", "Мне нравится помогать людям, учить их и заботиться о них", "I enjoy helping people, teaching them and looking after them"),
    ("signs", "Мне нравится работать с числами, кодами, текстами и таблицами", "I enjoy working with numbers, code, texts and tables"),
    ("art", "Мне нравится создавать красивое: рисунки, музыку, истории", "I enjoy creating beautiful things: pictures, music, stories"),
]

_SCALE = [("0", "Совсем нет", "Not at all"), ("1", "Скорее нет", "Rather not"), ("2", "Когда как", "It depends"), ("3", "Скорее да", "Rather yes"), ("4", "Очень", "Very much")]
assert len(_SCALE) == RATED_MAX + 1

ITEMS: tuple[Item, ...] = tuple(
    Item(
        id=f"c{index:02d}",
        kind=CHOICE,
        ru=CHOICE_PROMPT["ru"],
        en=CHOICE_PROMPT["en"],
        options=(Option("a", first[0], first[1], first[2]), Option("b", second[0], second[1], second[2])),
    )
    for index, (first, second) in enumerate(_PAIRS, start=1)
) + tuple(
    Item(id=f"r{index:02d}", kind=RATED, ru=ru, en=en, type=type_, options=tuple(Option(value, None, o_ru, o_en) for value, o_ru, o_en in _SCALE))
    for index, (type_, ru, en) in enumerate(_RATED, start=1)
)
ITEMS_BY_ID = {item.id: item for item in ITEMS}


@dataclass(frozen=True, slots=True)
class TypeText:
    name: str
    short: str
    description: str
    examples: str


_TYPES = {
    "nature": {
        "ru": TypeText("Человек – природа", "Природа", "Вам интересно живое и неживое в природе: растения, животные, почва, вода, погода. Такие профессии требуют наблюдательности, терпения и заботы.", "агроном, ветеринар, эколог, биолог, геолог, кинолог"),
        "en": TypeText("Person – nature", "Nature", "You are drawn to living and non-living nature: plants, animals, soil, water, weather. These professions call for a keen eye, patience and care.", "agronomist, vet, ecologist, biologist, geologist, dog trainer"),
    },
    "technology": {
        "ru": TypeText("Человек – техника", "Техника", "Вам интересно, как устроены машины и устройства, как их собрать, наладить и починить. Важны точность, практичность и пространственное мышление.", "инженер, механик, электрик, программист роботов, пилот, технолог"),
        "en": TypeText("Person – technology", "Technology", "You like to know how machines and devices work, and to build, set up and fix them. Precision, practical sense and spatial thinking matter here.", "engineer, mechanic, electrician, robotics developer, pilot, process technician"),
    },
    "people": {
        "ru": TypeText("Человек – человек", "Люди", "Вам интересно общаться, помогать, учить, лечить, объяснять и организовывать. Нужны внимание к людям, терпение и умение договариваться.", "учитель, врач, психолог, социальный работник, менеджер, библиотекарь"),
        "en": TypeText("Person – person", "People", "You enjoy talking with people, helping, teaching, healing, explaining and organising. It takes attention to others, patience and the art of agreeing.", "teacher, doctor, psychologist, social worker, manager, librarian"),
    },
    "signs": {
        "ru": TypeText("Человек – знаковая система", "Знаки", "Вам интересно работать с числами, текстами, кодами, схемами и таблицами. Важны внимательность, логика и умение сосредоточиться.", "программист, бухгалтер, аналитик данных, переводчик, картограф, корректор"),
        "en": TypeText("Person – sign systems", "Signs", "You enjoy numbers, texts, code, diagrams and tables. Attention to detail, logic and the ability to concentrate matter most.", "programmer, accountant, data analyst, translator, cartographer, proofreader"),
    },
    "art": {
        "ru": TypeText("Человек – художественный образ", "Искусство", "Вам интересно создавать и передавать образы: рисовать, сочинять, играть, снимать, оформлять. Нужны воображение, вкус и упорство.", "дизайнер, художник, актёр, музыкант, фотограф, журналист"),
        "en": TypeText("Person – artistic image", "Art", "You like creating and conveying images: drawing, writing, acting, filming, designing. It takes imagination, taste and persistence.", "designer, artist, actor, musician, photographer, journalist"),
    },
}
assert set(_TYPES) == set(TYPES)


def pick(language: str) -> str:
    return "en" if language == "en" else "ru"


def type_text(type_: str, language: str) -> TypeText:
    return _TYPES[type_][pick(language)]


def item_text(item: Item, language: str) -> str:
    return item.en if pick(language) == "en" else item.ru


def option_text(option: Option, language: str) -> str:
    return option.en if pick(language) == "en" else option.ru
