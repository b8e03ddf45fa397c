# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Chatter notes and activities written by the addons, never blocking the
user's action.

Odoo refuses to post a message for a user without an e-mail address
("Unable to send message, please configure the sender's email address"): an
import, a new segment criterion or a call outcome of such a user failed on
the note the addon logs about it. Every note and activity the addons write
goes through these two functions instead of ``message_post`` /
``activity_schedule``.
"""

from markupsafe import escape


def log_note(records, body):
    """Log ``body`` as an internal note on each of ``records``, by the
    current user, whether or not they have an e-mail address.

    Odoo's own way to log a note (``_message_log_batch``, as tracking does):
    nobody is notified, which is what the addons' notes were already (a note
    notifies nobody). Call it after the user's access to the records has
    been checked (the action that is being logged).

    :param records: records of a model with a chatter (``mail.thread``)
    :param body: plain text (escaped) or ``Markup``
    :return: the messages (sudo)
    """
    if not records:
        return records.env["mail.message"]
    body = escape(body)
    return records._message_log_batch({record.id: body for record in records})


def schedule_activity(record, **kwargs):
    """``record.activity_schedule(**kwargs)`` that never blocks: the assigned
    user is told by e-mail when the current user can send one (Odoo's
    assignment notice), and otherwise finds the activity in their to-do list
    without the e-mail.

    :return: the activity (``mail.activity``)
    """
    env = record.env
    if not (env.su or env.user.email):
        record = record.with_context(mail_activity_quick_update=True)
    return record.activity_schedule(**kwargs)
