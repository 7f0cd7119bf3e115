"""SMTP_URL: plain, STARTTLS, SSL, with and without authentication."""

import pytest

from booking.outbox.backends import FileBackend, SmtpBackend, backend_from_config, parse_smtp_url


@pytest.mark.parametrize("url, host, port, use_ssl, starttls, user, password", [
    ("smtp://mail.example.org", "mail.example.org", 25, False, False, None, None),
    ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, False, False, None, None),
    ("smtp://user:secret@mail.example.org?starttls=1", "mail.example.org", 587, False, True,
     "user", "secret"),
    ("smtp://u%40x:p%3Aw@mail.example.org:587?starttls=true", "mail.example.org", 587, False,
     True, "u@x", "p:w"),
    ("smtps://user:secret@mail.example.org", "mail.example.org", 465, True, False, "user",
     "secret"),
])
def test_smtp_url_forms(url, host, port, use_ssl, starttls, user, password):
    settings = parse_smtp_url(url)
    assert (settings.host, settings.port, settings.use_ssl, settings.starttls,
            settings.username, settings.password) == (host, port, use_ssl, starttls, user,
                                                       password)


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org"])
def test_smtp_url_mistakes_are_explained(url):
    with pytest.raises(ValueError, match="SMTP_URL"):
        parse_smtp_url(url)


def test_file_backend_without_smtp_url(tmp_path):
    assert isinstance(backend_from_config({"SMTP_URL": "", "MAIL_FILE_DIR": tmp_path}),
                      FileBackend)
    assert isinstance(backend_from_config({"SMTP_URL": "smtp://127.0.0.1:25",
                                           "MAIL_FILE_DIR": tmp_path}), SmtpBackend)
