"""Targets written out as a sheet, each with its progress on a date."""

import datetime
from decimal import Decimal

import tablib
from django.utils import translation

from .progress import targets_progress

TARGET_HEADERS = ["Kế hoạch", "Chỉ tiêu", "Đơn vị", "Hạn", "Mục tiêu", "Thực hiện", "%", "Trạng thái"]


def _number(value):
    """200, not 200.00; empty when there is no figure."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def target_sheet(targets, as_of: datetime.date) -> tablib.Dataset:
    """One row per target with its actual, percent and status on `as_of`; the counts are batched."""
    data = tablib.Dataset(headers=TARGET_HEADERS, title="Chỉ tiêu")
    # The sheet is Vietnamese like its headers, whatever the user's language.
    with translation.override("vi"):
        for progress in targets_progress(targets, as_of):
            target = progress.target
            data.append([
                str(target.plan), target.indicator.name, target.unit.name, target.deadline.strftime("%d/%m/%Y"),
                _number(target.value), _number(progress.actual), _number(progress.percent), str(progress.status_label),
            ])
    return data
