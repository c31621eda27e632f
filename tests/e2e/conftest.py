"""pytest settings for the end-to-end tests (async tests without markers' boilerplate)."""


def pytest_configure(config):
    config.option.asyncio_mode = "auto"
    if hasattr(config.option, "asyncio_default_fixture_loop_scope"):
        config.option.asyncio_default_fixture_loop_scope = "function"

