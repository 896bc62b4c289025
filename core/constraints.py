"""Database constraints that speak as form fields: a violated constraint's message is shown on the
field it concerns, not above the form, and never reaches the database as an IntegrityError."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class ConstraintErrorsOnFields:
    """A model whose `validate_constraints` puts each violated constraint's message (each constraint
    has a `violation_error_code` and a worded `violation_error_message`) on the field that
    `constraint_fields` names for its code, when that field is on the form (not in `exclude`)."""

    constraint_fields: dict[str, str] = {}

    def constraint_field(self, code: str) -> str | None:
        return self.constraint_fields.get(code)

    def validate_constraints(self, exclude=None) -> None:
        try:
            super().validate_constraints(exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            kept = []
            for message in errors.pop(NON_FIELD_ERRORS, []):
                field = self.constraint_field(message.code)
                if field is None or field in (exclude or ()):
                    kept.append(message)
                else:
                    errors.setdefault(field, []).append(self.constraint_message(message))
            if kept:
                errors[NON_FIELD_ERRORS] = kept
            raise ValidationError(errors) from None

    def constraint_message(self, error: ValidationError) -> ValidationError:
        """The message shown for a violated constraint; a model may word one with its own values."""
        return error
