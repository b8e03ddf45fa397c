# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import binascii

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.crm_lead_routing.progress import send_now

from ..models.chatter import log_note
from ..tools import contact_import, partner_bulk

# Contacts created per batch (one INSERT each, tools/partner_bulk.py), the
# browser told the progress after each (the bar's step). Files of
# PROGRESS_MIN_ROWS rows or more show the bar: an import costs about 1 ms a
# row on a quiet machine and several times that on a loaded one
# (tests/bench/bench_contact_import.py), so any import that may last more
# than about 2 s shows its progress.
IMPORT_BATCH = 500
PROGRESS_MIN_ROWS = 200
# the bus notification type the import dialog's progress bar listens to
# (static/src/segment_import/import_progress.esm.js)
PROGRESS_TYPE = "marketing_segment_import_progress"


class MarketingSegmentImport(models.TransientModel):
    """Import a contact list (CSV or XLSX) into a new or existing segment:
    match existing contacts by e-mail, then phone, then name + company, create
    the rest, report each rejected row with its reason. All or nothing."""

    _name = "marketing.segment.import"
    _description = "Import Contacts into a Segment"

    segment_id = fields.Many2one(
        "marketing.segment", string="Existing Segment", ondelete="cascade"
    )
    segment_name = fields.Char(string="New Segment Name")
    file = fields.Binary(required=True, attachment=False)
    filename = fields.Char()
    country_id = fields.Many2one(
        "res.country",
        string="Country of the Contacts",
        default=lambda self: self.env.ref("base.uk", raise_if_not_found=False),
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    created_count = fields.Integer(readonly=True)
    matched_count = fields.Integer(readonly=True)
    rejected_count = fields.Integer(readonly=True)
    result_segment_id = fields.Many2one("marketing.segment", readonly=True)
    line_ids = fields.One2many(
        "marketing.segment.import.line", "wizard_id", readonly=True
    )

    # ---- LOOKUPS ----------------------------------------------------------
    def _get_lookups(self, rows):
        """Existing contacts for the keys of the file, in three set queries.

        :return: (by_email, by_phone, by_name_company) dicts
        """
        emails, phones, names = set(), set(), set()
        for _number, row in rows:
            prepared, reason = contact_import.prepare_row(row)
            if reason:
                continue
            if prepared["email_key"]:
                emails.add(prepared["email_key"])
            phones.update(prepared["phone_keys"])
            names.add(prepared["name_key"][0])
        self.env["res.partner"].flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT email_normalized, min(id) FROM res_partner "
                "WHERE active AND email_normalized = ANY(%s) GROUP BY email_normalized",
                list(emails),
            )
        )
        by_email = dict(cr.fetchall())
        cr.execute(
            SQL(
                "SELECT k, min(id) FROM (SELECT id, mrm_phone_key(phone) AS k "
                "FROM res_partner WHERE active UNION ALL "
                "SELECT id, mrm_phone_key(mobile) FROM res_partner "
                "WHERE active) ph WHERE k = ANY(%s) GROUP BY k",
                list(phones),
            )
        )
        by_phone = dict(cr.fetchall())
        cr.execute(
            SQL(
                "SELECT p.id, p.name, COALESCE(c.name, '') FROM res_partner p "
                "LEFT JOIN res_partner c ON c.id = p.parent_id "
                "WHERE p.active AND lower(p.name) = ANY(%s) ORDER BY p.id",
                [name.lower() for name in names],
            )
        )
        by_name = {}
        for partner_id, name, company in cr.fetchall():
            key = (contact_import.name_key(name), contact_import.name_key(company))
            by_name.setdefault(key, partner_id)
        return by_email, by_phone, by_name

    def _get_reason_text(self, code, args):
        """The translated wording of a row's outcome (see contact_import.REASONS)."""
        _ = self.env._
        value = repr(args.get("value", ""))
        texts = {
            "no_name": lambda: _("no name and no company"),
            "invalid_email": lambda: _("invalid e-mail address %(value)s", value=value),
            "invalid_phone": lambda: _("invalid phone number %(value)s", value=value),
            "invalid_mobile": lambda: _("invalid mobile number %(value)s", value=value),
            "no_contact": lambda: _("no e-mail and no phone"),
            "duplicate": lambda: _(
                "duplicate of row %(row)s in the file", row=args.get("row")
            ),
            "matched_email": lambda: _("matched by e-mail"),
            "matched_phone": lambda: _("matched by phone"),
            "matched_name": lambda: _("matched by name and company"),
        }
        return texts[code]() if code in texts else ""

    # ---- PROGRESS ---------------------------------------------------------
    def _send_progress(self, done, total, step):
        """Tell the user's browser how far the import is (a bus notification
        to the user, read by the import dialog's progress bar), for files of
        PROGRESS_MIN_ROWS rows or more.

        The import runs in one transaction (all or nothing): the message
        leaves at once, as every long action's (crm_lead_routing/progress.py).

        :return: True when a message was sent
        """
        if total < PROGRESS_MIN_ROWS:
            return False
        payload = {"wizard_id": self.id, "done": done, "total": total, "step": step}
        return send_now(self.env, PROGRESS_TYPE, payload)

    # ---- IMPORT -----------------------------------------------------------
    def _read_file(self):
        try:
            data = base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The file cannot be read.")) from error
        try:
            return contact_import.read_rows(data, self.filename)
        except contact_import.ImportFileError as error:
            raise UserError(
                self.env._("The file cannot be imported: %(error)s.", error=error)
            ) from error

    def _partner_model(self):
        """res.partner for bulk creation: no "contact created" message and no
        field tracking per imported row (the segment's chatter logs the import)."""
        return self.env["res.partner"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_notrack=True
        )

    def _create_partners(self, vals_list, progress=None):
        """Create contacts as ``res.partner.create()`` would (their company's
        commercial fields and address synced, the stored computed fields
        computed), with set-based SQL (tools/partner_bulk.py), IMPORT_BATCH
        rows per statement: ``create()`` costs a few queries per contact,
        most of the import's time (tests/bench/README.md).

        :param progress: called with the number of contacts of each batch
        :return: the new res.partner records
        """
        partners = self._partner_model()
        ids = partner_bulk.insert_partners(
            partners.env, vals_list, batch_size=IMPORT_BATCH, progress=progress
        )
        return partners.browse(ids)

    def _prepare_address_vals(self, values):
        return {
            "street": values.get("street") or False,
            "city": values.get("city") or False,
            "zip": values.get("zip") or False,
            "mrm_county": values.get("county") or False,
            "website": values.get("website") or False,
            "country_id": self.country_id.id,
        }

    def _prepare_partner_vals(self, values, company_ids):
        return dict(
            self._prepare_address_vals(values),
            name=values["name"],
            email=values.get("email") or False,
            phone=values.get("phone") or False,
            mobile=values.get("mobile") or False,
            parent_id=company_ids.get(contact_import.name_key(values["company"])),
        )

    def _get_or_create_companies(self, plan):
        names, first_rows = {}, {}
        for item in plan:
            if item["status"] == "created" and item["values"]["company"]:
                key = contact_import.name_key(item["values"]["company"])
                names.setdefault(key, item["values"]["company"])
                first_rows.setdefault(key, item["values"])
        if not names:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT id, name FROM res_partner WHERE active AND is_company "
                "AND lower(name) = ANY(%s) ORDER BY id",
                [name.lower() for name in names.values()],
            )
        )
        company_ids = {}
        for partner_id, name in self.env.cr.fetchall():
            company_ids.setdefault(contact_import.name_key(name), partner_id)
        missing = [key for key in names if key not in company_ids]
        created = self._create_partners(
            [
                # a contact shares its company's address (Odoo syncs it): the
                # company takes the address of its first row
                dict(
                    self._prepare_address_vals(first_rows[key]),
                    name=names[key],
                    is_company=True,
                )
                for key in missing
            ]
        )
        company_ids.update(zip(missing, created.ids, strict=True))
        return company_ids

    def action_import(self):
        """Run the import; on any failure nothing is kept.

        :return: action showing the report
        """
        self.ensure_one()
        if not self.segment_id and not (self.segment_name or "").strip():
            raise UserError(self.env._("Choose a segment or name a new one."))
        rows = self._read_file()
        total = len(rows)
        self._send_progress(0, total, self.env._("Matching the contacts"))
        try:
            with self.env.cr.savepoint():
                plan = contact_import.plan_import(rows, *self._get_lookups(rows))
                company_ids = self._get_or_create_companies(plan)
                to_create = [item for item in plan if item["status"] == "created"]
                step = self.env._("Creating the contacts")
                done = [total - len(to_create)]
                self._send_progress(done[0], total, step)

                def progress(count):
                    done[0] += count
                    self._send_progress(done[0], total, step)

                partners = self._create_partners(
                    [
                        self._prepare_partner_vals(item["values"], company_ids)
                        for item in to_create
                    ],
                    progress=progress,
                )
                for item, partner in zip(to_create, partners, strict=True):
                    item["partner_id"] = partner.id
                segment = self.segment_id or self.env["marketing.segment"].create(
                    {"name": self.segment_name.strip()}
                )
                partner_ids = [
                    item["partner_id"] for item in plan if item.get("partner_id")
                ]
                partner_bulk.add_list_partners(segment, "list_partner_ids", partner_ids)
                self.env["marketing.segment.import.line"].create(
                    [
                        {
                            "wizard_id": self.id,
                            "row": item["row"],
                            "status": item["status"],
                            "reason": self._get_reason_text(item["code"], item["args"]),
                            "partner_id": item.get("partner_id"),
                        }
                        for item in plan
                    ]
                )
                counts = {
                    status: sum(1 for item in plan if item["status"] == status)
                    for status in ("created", "matched", "rejected")
                }
                self.write(
                    {
                        "state": "done",
                        "result_segment_id": segment.id,
                        "created_count": counts["created"],
                        "matched_count": counts["matched"],
                        "rejected_count": counts["rejected"],
                    }
                )
                log_note(
                    segment,
                    self.env._(
                        "Imported %(file)s: %(created)s created, %(matched)s matched, "
                        "%(rejected)s rejected.",
                        file=self.filename or "",
                        **counts,
                    ),
                )
                self.env.flush_all()
        except (UserError, ValueError) as error:
            raise UserError(
                self.env._(
                    "The import failed, nothing was imported: %(error)s", error=error
                )
            ) from error
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Import into %(segment)s: result",
                segment=self.result_segment_id.name or self.segment_name or "",
            ),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


class MarketingSegmentImportLine(models.TransientModel):
    _name = "marketing.segment.import.line"
    _description = "Contact Import Report Line"
    _order = "row"

    wizard_id = fields.Many2one(
        "marketing.segment.import", required=True, ondelete="cascade"
    )
    row = fields.Integer(readonly=True)
    status = fields.Selection(
        [("created", "Created"), ("matched", "Matched"), ("rejected", "Rejected")],
        readonly=True,
    )
    reason = fields.Char(readonly=True)
    partner_id = fields.Many2one("res.partner", readonly=True)
