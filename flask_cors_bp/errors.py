"""The one error type of the library."""

from __future__ import annotations


class CorsConfigError(ValueError):
    """A CORS option has a bad name, type or value.

    Raised when the configuration is given (``CORS(app, ...)``, ``CorsBlueprint(...)``,
    ``@cross_origin(...)``, ``register_blueprint``), never while serving a request.
    ``option`` names the option, ``value`` is what was given and ``hint`` says how to fix it.
    """

    def __init__(
        self, option: str, value: object, problem: str, hint: str, where: str = ""
    ) -> None:
        self.option = option
        self.value = value
        self.problem = problem
        self.hint = hint
        self.where = where
        place = f" ({where})" if where else ""
        super().__init__(f"CORS option {option!r}{place}: {problem}: {value!r}. Hint: {hint}")
