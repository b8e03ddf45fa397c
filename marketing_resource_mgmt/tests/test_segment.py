# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SegmentCase


@tagged("post_install", "-at_install")
class TestSegment(SegmentCase):
    def _segment(self, **vals):
        return self.Segment.create(
            dict({"name": "Test", "domain": f"[('city', '=', '{self.city}')]"}, **vals)
        )

    def test_domain_counts_and_ids(self):
        segment = self._segment()
        self.assertEqual(set(segment._get_partner_ids()), set(self.city_partners.ids))
        self.assertEqual(segment._get_count(), len(self.city_partners))
        self.assertEqual(segment.partner_count, len(self.city_partners))

    def test_consent_email(self):
        segment = self._segment()
        ids = set(segment._get_partner_ids("email"))
        self.assertNotIn(self.p_blacklisted.id, ids)
        self.assertNotIn(
            self.p_dnc_company.id, ids, "the company's flag covers its contacts"
        )
        self.assertNotIn(self.company_partner.id, ids)
        self.assertNotIn(self.p_opt_out.id, ids)
        self.assertIn(self.p_ok.id, ids)
        self.assertIn(self.p_no_phone.id, ids)
        counts = segment._get_exclusion_counts("email")
        self.assertEqual(counts["email_blacklist"], 1)
        self.assertEqual(counts["do_not_contact"], 2)
        self.assertEqual(counts["opt_out"], 1)
        self.assertEqual(counts["total"] - counts["excluded"], len(ids))

    def test_consent_call_and_mail(self):
        segment = self._segment()
        call = set(segment._get_partner_ids("call"))
        self.assertNotIn(self.p_no_phone.id, call)
        self.assertNotIn(self.p_phone_blacklisted.id, call, "0044 (113) = +44 113")
        self.assertIn(self.p_no_address.id, call)
        self.assertIn(
            self.p_blacklisted.id, call, "an e-mail blacklist does not stop calls"
        )
        mail = set(segment._get_partner_ids("mail"))
        self.assertNotIn(self.p_no_address.id, mail)
        self.assertIn(self.p_no_phone.id, mail)
        counts = segment._get_exclusion_counts("call")
        self.assertEqual(counts["phone_missing"], 2)  # Pete, and the company
        self.assertEqual(counts["phone_blacklist"], 1)
        segment.count_channel = "mail"
        self.assertEqual(segment.excluded_count, 4)  # company, Carla (dnc), Nora, Oscar
        self.assertIn("No postal address", segment.exclusion_summary)

    def test_count_is_one_query(self):
        segment = self._segment()
        segment._get_count("email")
        with self.assertQueryCount(1):
            segment._get_count("email")

    def test_broken_domain_saves_nothing(self):
        before = self.Segment.search_count([])
        with self.assertRaises(ValidationError):
            self.Segment.create({"name": "Bad", "domain": "[('city', '=', "})
        with self.assertRaises(ValidationError):
            self.Segment.create(
                {"name": "Bad", "domain": "[('no_such_field', '=', 1)]"}
            )
        self.assertEqual(self.Segment.search_count([]), before)
        segment = self._segment()
        with self.assertRaises(ValidationError):
            segment.domain = "[('no_such_field', '=', 1)]"
        with self.assertRaises(UserError):
            self.Segment.new(
                {"name": "x", "domain": "[('nope', '=', 1)]"}
            )._check_definition()

    def test_live_count_on_new_record(self):
        segment = self.Segment.new(
            {"name": "Live", "domain": f"[('city', '=', '{self.city}')]"}
        )
        self.assertEqual(segment.partner_count, len(self.city_partners))
        segment.domain = f"[('city', '=', '{self.city}'), ('name', 'ilike', 'o')]"
        expected = self.Partner.search_count(
            [("city", "=", self.city), ("name", "ilike", "o")]
        )
        self.assertEqual(segment.partner_count, expected)
        segment.domain = "[('nope', '=', 1)]"
        self.assertTrue(segment.definition_error)

    def test_form_edit_counts_the_edited_segment_once(self):
        """Editing a criterion in the form (Odoo's onchange, as the web
        client calls it): the figures of the edited definition come back,
        counted once (the saved segment's figures are already on screen),
        also when they fall to zero or the definition breaks."""
        segment = self.Segment.create(
            {
                "name": "Form count",
                "count_channel": "email",
                "criterion_ids": [
                    (0, 0, {"field_name": "city", "operator": "=", "value": self.city})
                ],
            }
        )
        self.env.flush_all()
        form = Form(segment.with_user(self.marketer))
        self.assertEqual(form.partner_count, len(self.city_partners))
        counted = []
        real = type(segment)._get_exclusion_counts

        def spy(records, channel=None):
            counted.append(records.id)
            return real(records, channel)

        with patch.object(type(segment), "_get_exclusion_counts", spy):
            with form.criterion_ids.edit(0) as line:
                line.value = "Nowhere at all"
        self.assertEqual(len(counted), 1, "one count per edit")
        self.assertNotEqual(counted[0], segment.id, "the edited segment's")
        self.assertEqual(
            (form.partner_count, form.channel_partner_count, form.excluded_count),
            (0, 0, 0),
        )
        with form.criterion_ids.edit(0) as line:
            line.value = self.city
        self.assertEqual(form.partner_count, len(self.city_partners))
        self.assertEqual(form.channel_partner_count, segment._get_count("email"))
        self.assertTrue(form.excluded_count)
        self.assertIn("blacklist", form.exclusion_summary)
        self.assertFalse(form.definition_error)
        with form.criterion_ids.edit(0) as line:
            line.field_name = "no_such_field"
        self.assertTrue(form.definition_error)
        self.assertEqual(form.partner_count, 0)
        # the saved segment itself still counts normally
        segment.invalidate_recordset()
        self.assertEqual(segment.partner_count, len(self.city_partners))

    def test_duplicate_and_history(self):
        segment = self._segment()
        segment.criterion_ids = [
            (0, 0, {"field_name": "name", "operator": "ilike", "value": "o"})
        ]
        copy = segment.copy()
        self.assertEqual(len(copy.criterion_ids), 1)
        self.assertEqual(copy._get_count(), segment._get_count())
        self.assertIn("(copy)", copy.name)
        self.env.flush_all()
        self.env.cr.precommit.run()  # as if created in an earlier transaction
        segment.criterion_ids.value = "ol"
        segment.domain = "[]"
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit
        bodies = " ".join(segment.message_ids.mapped("body"))
        self.assertIn("Criterion added", bodies)
        self.assertIn("Criterion changed", bodies)
        tracked = segment.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "domain"
        )
        self.assertTrue(tracked)
        self.assertEqual(tracked[0].new_value_char, "[]")

    def test_access_private_and_salesman(self):
        private = self.Segment.with_user(self.marketer).create(
            {"name": "Mine", "visibility": "private"}
        )
        shared = self.Segment.with_user(self.marketer).create({"name": "Ours"})
        as_other = self.Segment.with_user(self.marketer2)
        self.assertEqual(
            as_other.search([("id", "in", (private | shared).ids)]), shared
        )
        with self.assertRaises(AccessError):
            private.with_user(self.marketer2).read(["name"])
        self.assertTrue(private.with_user(self.mk_manager).read(["name"]))
        with self.assertRaises(AccessError):
            shared.with_user(self.salesman).read(["name"])
        with self.assertRaises(AccessError):
            self.Segment.with_user(self.salesman).create({"name": "No"})

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "MRM Other Co"})
        segment = self.Segment.create({"name": "Other co", "company_id": other.id})
        self.assertFalse(
            self.Segment.with_user(self.mk_manager).search([("id", "=", segment.id)])
        )
        with self.assertRaises(AccessError):
            segment.with_user(self.mk_manager).read(["name"])

    def test_contacts_of_other_companies_not_counted(self):
        other = self.env["res.company"].create({"name": "MRM Far Co"})
        hidden = self.Partner.create(
            {"name": "Other Co Contact", "city": self.city, "company_id": other.id}
        )
        segment = self.Segment.with_user(self.marketer).create(
            {"name": "Mine", "domain": f"[('city', '=', '{self.city}')]"}
        )
        self.assertNotIn(hidden.id, segment._get_partner_ids())
        self.assertEqual(segment._get_count(), len(self.city_partners))
        self.assertIn(hidden.id, segment.sudo()._get_partner_ids())
