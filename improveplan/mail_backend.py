"""Django's SMTP backend, told apart when a message may have gone although the send failed.

A server that is handed the whole message but answers too late (after ``EMAIL_TIMEOUT``) may
well have kept it: the SMTP standard has senders wait up to ten minutes for that answer. Django
reports that timeout like any lost connection, and a sender that tries again would deliver the
message a second time. This backend raises ``DeliveryUncertain`` instead whenever the message's
data had been sent in full before the error, so callers can record it and not send it again.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends import smtp

END_OF_DATA = b"\r\n.\r\n"  # how smtplib ends the message it sends after DATA


class DeliveryUncertain(smtplib.SMTPException):
    """The message was sent to the server whole, but the server never confirmed it."""


class _Watching:
    """Notes when the message's data has gone out whole (smtplib sends it in one piece)."""

    data_sent = False

    def send(self, s):
        super().send(s)
        if isinstance(s, bytes) and s.endswith(END_OF_DATA):
            self.data_sent = True


class _SMTP(_Watching, smtplib.SMTP):
    pass


class _SMTP_SSL(_Watching, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message) -> bool:
        if self.connection is not None:
            self.connection.data_sent = False
        try:
            return super()._send(email_message)
        except smtplib.SMTPResponseException:
            raise  # the server answered: whatever it said, it said it for sure
        except OSError as error:  # smtplib's disconnections and timeouts among them
            if getattr(self.connection, "data_sent", False):
                raise DeliveryUncertain(
                    f"the server was sent the whole message but did not confirm it ({error})"
                ) from error
            raise
