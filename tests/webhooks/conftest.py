from tests.webhooks.hooks import hooks_api  # noqa: F401 (the fixture of these tests)
