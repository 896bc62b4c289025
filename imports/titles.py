"""What a list's title block says about every row: the decision it is attached to.

A province publishes each recognition decision with an annex whose title reads "(Kèm theo Quyết
định số 1234/QĐ-UBND ngày 15/8/2024 của UBND tỉnh Bắc Kạn)": its number, its date and who issued
it, from which the level and the province follow. The same words given with the upload (the form,
`import_ocop --issuer`) are read the same way.
"""

import re

from products.exports import LEVEL_WORDS
from products.models import RatingDecision
from provinces.models import AdminUnit
from provinces.text import fold

DATE = r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s*,?\s+năm\s+\d{4}"
DECISION_RE = re.compile(
    r"quyết\s+định\s+(?:số\s*)?:?\s*(?P<number>\d[^\s,;()/]*(?:\s*/\s*[^\s,;()]+)?)\s*,?\s*"
    r"(?:ngày\s+(?P<date>" + DATE + r"))?"
    r"(?:\s*,?\s*của\s+(?P<issuer>[^()]+))?",
    re.IGNORECASE,
)
DATE_PARTS_RE = re.compile(r"\d+")
# "UBND tỉnh Bắc Kạn", "Ủy ban nhân dân huyện Na Rì, tỉnh Bắc Kạn", "Chủ tịch UBND thành phố Hà Nội".
UNIT_RE = re.compile(r"\b(tỉnh|thành\s+phố|tp\.|tp(?=\s)|huyện|thị\s+xã|tx\.|tx(?=\s)|quận)\s*"
                     r"([^,;()]+?)(?=\s+(?:về|v/v)\s|[,;()]|$)", re.IGNORECASE)
# Abbreviated kinds of unit: "UBND TP. Bắc Kạn".
KIND_WORDS = {"tp.": "thanh pho", "tp": "thanh pho", "tx.": "thi xa", "tx": "thi xa"}
# The authority line of a title block, "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN" (the body perhaps on the next
# line), beside the national motto, which is no part of it.
AUTHORITY_RE = re.compile(r"(?<![-/\w])(?:(?:ủy|uỷ)\s+ban\s+nhân\s+dân|ubnd)\b\s*(?P<body>.*)$", re.IGNORECASE)
MOTTO_RE = re.compile(r"cộng\s+h(?:òa|oà)\s+xã\s+hội\s+chủ\s+nghĩa\s+việt\s+nam|"
                      r"độc\s+lập\s*[-–—]\s*tự\s+do\s*[-–—]\s*hạnh\s+phúc", re.IGNORECASE)
# An issuer naming its kind but not its place: "của UBND tỉnh", "của Ủy ban nhân dân huyện".
BARE_KIND_RE = re.compile(r"\b(tỉnh|thành\s+phố|huyện|thị\s+xã|quận)\s*\.?\s*$", re.IGNORECASE)
NATIONAL_WORDS = ("thu tuong", "bo nong nghiep", "trung uong", "chinh phu")
# What an upload may give for every row (the form's fields, import_ocop's options).
GIVEN = ("decision_number", "decision_date", "level", "issuer", "province")
# A decision's level: the value as a sheet writes it (products.exports.LEVEL_WORDS), the label the
# model's (Tỉnh / Huyện / Trung ương, as the decision form names them).
LEVEL_CHOICES = [(LEVEL_WORDS[level], level.label) for level in RatingDecision.Level]


def decision_in_title(title: list[tuple[int, str]]) -> dict[str, tuple[str, int]]:
    """{column: (value, title row)} for the decision a title names: decision_number, decision_date,
    and from its issuer the level and the province (or district) it sits in; an issuer that names
    no place ("của UBND tỉnh") is the authority line above it ("ỦY BAN NHÂN DÂN TỈNH BẮC KẠN")."""
    for index, (number, line) in enumerate(title):
        match = DECISION_RE.search(line)
        if not match:
            continue
        found = {"decision_number": re.sub(r"\s*/\s*", "/", match["number"])}
        if match["date"]:
            day, month, year = DATE_PARTS_RE.findall(match["date"])
            found["decision_date"] = f"{int(day):02d}/{int(month):02d}/{year}"
        found = {column: (value, number) for column, value in found.items()}
        issuer = match["issuer"] or ""
        values = issuer_values(issuer)
        found.update({column: (value, number) for column, value in values.items()})
        if not values:  # "của UBND tỉnh", or no issuer: the authority line above says where
            found.update(_from_authority(issuer, title[:index]))
        elif "district" in values and "province" not in values:  # "UBND TP. Bắc Kạn": in the authority's province
            found.update({column: value for column, value in _from_authority("", title[:index]).items()
                          if column == "province"})
        return found
    return {}


def _from_authority(issuer: str, above: list[tuple[int, str]]) -> dict[str, tuple[str, int]]:
    """{column: (value, title row)} from the authority line among the title lines `above` the
    decision ("ỦY BAN NHÂN DÂN TỈNH BẮC KẠN"): for an issuer naming its kind alone ("UBND tỉnh",
    "UBND huyện"), the authority's units and level when it is of that kind; for no issuer at all,
    the authority's province alone (the level is then left to the stars)."""
    found = _authority(above)
    if not found:
        return {}
    body, number = found
    values = issuer_values(body.title() if body.isupper() else body)
    kind = BARE_KIND_RE.search(issuer)
    if not kind:
        values = {"province": values["province"]} if not issuer.strip() and "province" in values else {}
    elif (kind := fold(kind.group(1))) != "thanh pho" and ("district" in values) != (kind != "tinh"):
        values = {}  # "UBND tỉnh" under a district's authority line, or the other way round
    return {column: (value, number) for column, value in values.items()}


def _authority(lines: list[tuple[int, str]]) -> tuple[str, int] | None:
    """The body the first authority line among `lines` names ("TỈNH BẮC KẠN"), and its row: on the
    line itself, or on the next when the line says "ỦY BAN NHÂN DÂN" alone."""
    for position, (number, line) in enumerate(lines):
        if match := AUTHORITY_RE.search(MOTTO_RE.sub(" ", line)):
            body = match["body"].strip()
            if not body and position + 1 < len(lines):
                number, body = lines[position + 1][0], MOTTO_RE.sub(" ", lines[position + 1][1]).strip()
            return " ".join(body.split()), number
    return None


def issuer_values(issuer: str) -> dict[str, str]:
    """The level (tỉnh, huyện, quốc gia) and the units an issuing body names: "UBND tỉnh Bắc Kạn"
    gives the province level and Bắc Kạn; "UBND huyện Na Rì, tỉnh Bắc Kạn" the district level too."""
    folded = fold(issuer)
    if any(word in folded for word in NATIONAL_WORDS):
        return {"level": LEVEL_WORDS[RatingDecision.Level.NATIONAL]}
    values = {}
    for kind, name in UNIT_RE.findall(issuer):
        name, kind = " ".join(name.split()), KIND_WORDS.get(fold(kind), fold(kind))
        if kind == "tinh" or (kind == "thanh pho" and central_city(name)):
            values.setdefault("province", name)
            values.setdefault("level", LEVEL_WORDS[RatingDecision.Level.PROVINCE])
        else:
            values.setdefault("district", name)
            values["level"] = LEVEL_WORDS[RatingDecision.Level.DISTRICT]
    return values


def central_city(name: str) -> bool:
    """Whether a city is one of the centrally run ones (thành phố Hà Nội), not a district-level city
    (thành phố Bắc Kạn, in the province of that name)."""
    return any(fold(unit.name).startswith("thanh pho") for unit in AdminUnit.objects.provinces().named(name))


def given_columns(given: dict[str, str], columns: dict) -> dict[str, str]:
    """The values given with an upload for every row, as the kind's columns: an "issuer" stands for
    the level and the units it names, where those are not given themselves."""
    given = {column: " ".join(str(value).split()) for column, value in given.items() if str(value or "").strip()}
    issuer = given.pop("issuer", "")
    for column, value in issuer_values(issuer).items():
        given.setdefault(column, value)
    return {column: value for column, value in given.items() if column in columns}
