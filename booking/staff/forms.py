"""Form helpers shared by the staff pages."""


def first_errors(form) -> dict[str, str]:
    """The first message of every invalid field, as the templates' error summary expects."""
    return {name: str(messages[0]) for name, messages in form.errors.items()}
