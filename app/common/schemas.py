"""Base classes for request and response schemas."""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from app.common.messages import BilingualError


class RequestModel(BaseModel):
    # Unknown fields are rejected so a typo ("titel") is an error, not silently dropped data.
    model_config = ConfigDict(extra="forbid")


class PatchModel(RequestModel):
    """PATCH bodies: every field optional, only the fields sent are applied.

    ``NOT_NULL`` names the fields that may be omitted but not set to ``null``.
    """

    NOT_NULL: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _reject_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        # Runs only for fields actually sent, so omitting a field stays allowed.
        if value is None and info.field_name in cls.NOT_NULL:
            raise BilingualError("该字段不能为 null", "this field cannot be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def unique(values: list[Any]) -> list[Any]:
    """Drop repeats and keep the first-seen order (lists of codes and modes)."""
    return list(dict.fromkeys(values))
