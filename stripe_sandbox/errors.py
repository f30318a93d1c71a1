"""Stripe's error envelope, raised anywhere in the sandbox and rendered by the API layer."""

from typing import Any


class StripeError(Exception):
    """An API error as Stripe reports it: an HTTP status and the `error` object."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "type": type}
        if code:
            self.body["code"] = code
        if param:
            self.body["param"] = param
        self.body.update(extra)

    def envelope(self) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        return {"error": self.body}


def missing(param: str) -> StripeError:
    """A required parameter was not sent."""
    return StripeError(f"Missing required param: {param}.", code="parameter_missing", param=param)


def invalid(param: str, message: str, code: str | None = None) -> StripeError:
    """A parameter was sent with a value Stripe would refuse."""
    return StripeError(message, code=code, param=param)


def no_such(kind: str, object_id: str, *, param: str | None = None) -> StripeError:
    """An id that names nothing: 404 on the path, 400 when it came in a parameter."""
    return StripeError(
        f"No such {kind}: '{object_id}'",
        status=400 if param else 404,
        code="resource_missing",
        param=param or "id",
    )
