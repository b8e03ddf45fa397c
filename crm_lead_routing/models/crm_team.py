# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sales team a routed or claimed lead gets when its rule has none:
crm's own ``_get_default_team_id``, cached per salesperson (a claim is a
transaction of its own: without the cache each claim would search the
claimer's teams again). The cache is cleared when a team or a membership
changes what that method reads; a change of the user's companies clears it
already (``res.users.write``)."""

from odoo import api, models, tools

# the team fields crm's _get_default_team_id depends on (membership, company,
# order, archiving)
DEFAULT_TEAM_FIELDS = frozenset(
    {
        "active",
        "company_id",
        "user_id",
        "sequence",
        "member_ids",
        "crm_team_member_ids",
        "crm_team_member_all_ids",
        "use_leads",
        "use_opportunities",
    }
)
MEMBER_FIELDS = frozenset({"active", "user_id", "crm_team_id", "company_id"})


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.model
    @tools.ormcache(
        "user_id",
        "self.env.su",
        "self.env.uid",
        "tuple(self.env.companies.ids)",
        "self.env.context.get('default_team_id')",
    )
    def _routing_default_team_id(self, user_id):
        """crm's default team of ``user_id`` (``_get_default_team_id``), as
        an id or False; cached."""
        return self._get_default_team_id(user_id=user_id).id

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        if DEFAULT_TEAM_FIELDS & vals.keys():
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res


class CrmTeamMember(models.Model):
    _inherit = "crm.team.member"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        if MEMBER_FIELDS & vals.keys():
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res
