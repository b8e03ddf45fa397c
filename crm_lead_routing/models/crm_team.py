# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sales team a routed or claimed lead gets when its rule has none:
crm's own ``_get_default_team_id``, cached per salesperson and team
memberships (a claim is a transaction of its own: without the cache each
claim would search the claimer's teams again). The salesperson's
memberships are part of the key (read with one small query), a change of a
team clears the cache, and so does a change of the user's companies
(``res.users.write``)."""

from odoo import api, models, tools
from odoo.tools import SQL

# the team fields crm's _get_default_team_id depends on (leader, company,
# order, archiving, kind); memberships are in the cache key
DEFAULT_TEAM_FIELDS = frozenset(
    {
        "active",
        "company_id",
        "user_id",
        "sequence",
        "use_leads",
        "use_opportunities",
    }
)


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.model
    def _routing_default_team_id(self, user_id, memberships=None):
        """crm's default team of ``user_id`` (``_get_default_team_id``), as
        an id or False; cached per salesperson and memberships.

        :param memberships: the ids of the user's active team memberships'
            teams, ordered, when the caller read them (a claim, with its
            lock); read here otherwise
        """
        if memberships is None:
            self.env["crm.team.member"].flush_model(
                ["user_id", "crm_team_id", "active"]
            )
            self.env.cr.execute(
                SQL(
                    "SELECT array_agg(crm_team_id ORDER BY crm_team_id) "
                    "FROM crm_team_member WHERE user_id = %s AND active",
                    user_id,
                )
            )
            memberships = tuple(self.env.cr.fetchone()[0] or ())
        return self._routing_default_team_cached(user_id, memberships)

    @api.model
    @tools.ormcache(
        "user_id",
        "memberships",
        "self.env.su",
        "self.env.uid",
        "tuple(self.env.companies.ids)",
        "self.env.context.get('default_team_id')",
    )
    def _routing_default_team_cached(self, user_id, memberships):
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
