# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Logged work: what makes a campaign, member or lead archivable only."""


def done_activity_counts(records):
    """Done activities (messages of an activity type) of ``records``, in one
    grouped query.

    :return: ``{record id: count}``, only for records that have some
    """
    if not records:
        return {}
    groups = (
        records.env["mail.message"]
        .sudo()
        ._read_group(
            [
                ("model", "=", records._name),
                ("res_id", "in", records.ids),
                ("mail_activity_type_id", "!=", False),
            ],
            ["res_id"],
            ["__count"],
        )
    )
    return dict(groups)
