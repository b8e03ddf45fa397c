# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The problem compiled for the solvers: only the candidates worth keeping,
sorted by (contact, channel), the global rows as one "row of the item" array
per kind (each kind partitions the candidates: one campaign, one channel,
one offer each), and the vectorised pieces every solver shares:

- :meth:`Compiled.local_choice`: each person on their own, the best
  candidates by a score under the person's caps (a laminar matroid, so
  taking the best first is optimal);
- :meth:`Compiled.fill`: "take in this order while everything allows", in
  vectorised rounds with the same result as the one-by-one loop (greedy
  baseline, and the repair of the decomposition).
"""

import numpy as np

from .problem import OFFER_MIN, rows_matrix

# candidates examined per round of :meth:`Compiled.fill`: large enough that a
# round is a few numpy passes over many items, small enough that a round
# ended early by a full budget does not waste much (chosen by the benchmark)
FILL_WINDOW = 1 << 16
# the smallest window, after a round stopped early by a row filling up
MIN_FILL_WINDOW = 1 << 10
EPS = 1e-9
# caps per person up to this are solved by repeated maxima, larger ones by
# sorting (a round costs about a fifth of a sort of the candidates)
LOCAL_ROUNDS = 4
NO_CAP = np.iinfo(np.int64).max // 4


def _group_rank(group, order=None):
    """Rank of each item within its group, in the order given (0 = first).

    :param group: group id per item (any ints)
    :param order: the items' order (default: as they are)
    :return: rank per item, aligned with ``group``
    """
    n = group.size
    if order is None:
        order = np.arange(n)
    g = group[order]
    # stable sort by group keeps ``order`` within each group
    by_group = np.argsort(g, kind="stable")
    sorted_g = g[by_group]
    start = np.empty(n, dtype=bool)
    if n:
        start[0] = True
        start[1:] = sorted_g[1:] != sorted_g[:-1]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    rank_sorted = np.arange(n) - first
    rank = np.empty(n, dtype=np.int64)
    rank[order[by_group]] = rank_sorted
    return rank


def _int_caps(caps):
    """Float caps (inf: none) as int64 (NO_CAP: none)."""
    out = np.full(caps.size, NO_CAP, dtype=np.int64)
    finite = np.isfinite(caps)
    out[finite] = caps[finite].astype(np.int64)
    return out


def _grouped_cumsum(group, weights):
    """Running total of ``weights`` within each group, in the given order."""
    order = np.argsort(group, kind="stable")
    cs = np.cumsum(weights[order])
    g = group[order]
    start = np.r_[True, g[1:] != g[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(g.size), 0))
    before = np.where(first > 0, cs[first - 1], 0.0)
    out = np.empty(g.size)
    out[order] = cs - before
    return out


class Compiled:
    """The solver's view of a :class:`Problem` (see module docstring).

    :param problem: the Problem
    :param keep: optional bool mask of candidates to keep (default: those
        with a positive profit, and every candidate of an offer with a
        minimum volume)
    """

    def __init__(self, problem, keep=None):
        self.problem = problem
        profit = problem.profit
        if keep is None:
            keep = profit > 0
            if problem.offer_min:
                keep |= np.isin(problem.offer, list(problem.offer_min))
            for c, cap in problem.capacity_by_channel.items():
                if cap <= 0:
                    keep &= problem.channel != c
            for c, cap in problem.max_per_contact_channel.items():
                if cap <= 0:
                    keep &= problem.channel != c
            # a person the contact policy allows no more contact (on a channel)
            if problem.cap_by_contact:
                keep &= problem.contact_caps(problem.contact) > 0
            if problem.cap_by_contact_channel:
                keep &= (
                    problem.contact_channel_caps(problem.contact, problem.channel) > 0
                )
        idx = np.flatnonzero(keep)
        order = np.lexsort((problem.channel[idx], problem.contact[idx]))
        self.index = idx = idx[order]
        self.n = idx.size
        self.profit = profit[idx]
        self.cost = problem.cost[idx]
        self.channel = problem.channel[idx]
        self.offer = problem.offer[idx]
        self.campaign = problem.campaign[idx]
        contact = problem.contact[idx]
        # dense contact ids, and dense (contact, channel) ids: both sorted
        new_contact = np.ones(self.n, dtype=bool)
        new_contact[1:] = contact[1:] != contact[:-1]
        self.cid = np.cumsum(new_contact) - 1
        self.n_contacts = int(self.cid[-1]) + 1 if self.n else 0
        self.contact_start = np.flatnonzero(new_contact)
        new_cc = new_contact.copy()
        new_cc[1:] |= self.channel[1:] != self.channel[:-1]
        self.ccid = np.cumsum(new_cc) - 1
        self.n_cc = int(self.ccid[-1]) + 1 if self.n else 0
        self.cc_channel = self.channel[new_cc]
        self.cc_contact = self.cid[new_cc]
        # the caps per person (NO_CAP: none): ``max_per_contact`` (the
        # uniform one, priced in local_prices) lowered by each person's own
        self.max_per_contact = problem.max_per_contact
        self.contact_cap = None
        if problem.max_per_contact is not None or problem.cap_by_contact:
            self.contact_cap = _int_caps(
                problem.contact_caps(contact[self.contact_start])
            )
        self.has_channel_caps = bool(
            problem.max_per_contact_channel or problem.cap_by_contact_channel
        )
        self.cc_cap = None
        if self.has_channel_caps:
            self.cc_cap = _int_caps(
                problem.contact_channel_caps(contact[new_cc], self.cc_channel)
            )
        # global rows, and per kind the row of each item (-1: none)
        self.rows = problem.global_rows(idx)
        self.m = len(self.rows)
        self.sense = np.array([r.sense for r in self.rows], dtype=np.float64)
        self.limit = np.array([r.limit for r in self.rows], dtype=np.float64)
        self.kinds = []  # [(row_of_item, coef_of_item)]
        by_kind = {}
        for j, row in enumerate(self.rows):
            by_kind.setdefault(row.kind, []).append(j)
        for kind, js in by_kind.items():
            row_of = np.full(self.n, -1, dtype=np.int64)
            coef = np.zeros(self.n)
            for j in js:
                row_of[self.rows[j].members] = j
                coef[self.rows[j].members] = self.rows[j].coef
            self.kinds.append((kind, row_of, coef))
        self._G = None
        self._GT = None

    # ---------------------------------------------------------------- rows
    @property
    def G(self):
        """The global rows as a CSR matrix (m x n)."""
        if self._G is None:
            self._G = rows_matrix(self.rows, self.n)
        return self._G

    def usage(self, x):
        """Usage of each global row by the chosen items ``x`` (bool mask)."""
        if not self.m:
            return np.zeros(0)
        return self.G @ x.astype(np.float64)

    def reduced_profit(self, lam):
        """``profit - sum_j sense_j * lam_j * coef_j``: the profit of each
        item once the global rows are priced at ``lam`` (>= 0)."""
        if not self.m:
            return self.profit.copy()
        return self.profit - self.GT @ (self.sense * lam)

    @property
    def GT(self):
        if self._GT is None:
            self._GT = self.G.T.tocsr()
        return self._GT

    # ---------------------------------------------------------------- local
    def local_choice(self, score, cap_delta=0, channel_cap_delta=None):
        """Each person on their own: the items with a positive ``score``,
        best first, at most the person's caps.

        :param score: score per item (reduced profit)
        :param cap_delta: added to every person's cap (to price the cap)
        :param channel_cap_delta: ``(channel, delta)`` added to that
            channel's cap per person (to price it)
        :return: bool mask of the chosen items
        """
        x = score > EPS
        if self.has_channel_caps:
            caps = self.cc_cap
            if channel_cap_delta is not None:
                caps = caps + np.where(
                    self.cc_channel == channel_cap_delta[0], channel_cap_delta[1], 0
                )
            cap_item = caps[self.ccid]
            capped = cap_item < NO_CAP
            x = (x & ~capped) | self._top_in_groups(
                self.ccid, score, x & capped, cap_item
            )
        if self.contact_cap is not None:
            cap_item = self.contact_cap[self.cid]
            capped = cap_item < NO_CAP
            x = (x & ~capped) | self._top_in_groups(
                self.cid, score, x & capped, cap_item + cap_delta
            )
        return x

    def _top_in_groups(self, group, score, eligible, cap):
        """Mask of the eligible items among the first ``cap`` of their group
        by score (groups are contiguous and sorted; ties: the first item).

        With small caps (the contact policy's 1 to 3) it takes the best of
        each group ``cap`` times (numpy's ``maximum.reduceat``, linear), else
        it sorts.
        """
        cap_item = np.broadcast_to(np.asarray(cap, dtype=np.int64), group.shape)
        if not eligible.any():
            return eligible
        # a cap of 0 (a person the policy allows no more contact) takes none
        eligible = eligible & (cap_item > 0)
        if not eligible.any():
            return eligible
        max_cap = int(cap_item[eligible].max())
        if max_cap > LOCAL_ROUNDS:
            return self._top_in_groups_sorted(group, score, eligible, cap_item)
        taken = np.zeros_like(eligible)
        live = eligible.copy()
        for t in range(max_cap):
            if t:
                live &= cap_item > t
            sel = np.flatnonzero(live)
            if not sel.size:
                break
            g = group[sel]
            s = score[sel]
            new = np.empty(sel.size, dtype=bool)
            new[0] = True
            np.not_equal(g[1:], g[:-1], out=new[1:])
            starts = np.flatnonzero(new)
            seg = np.cumsum(new) - 1
            best = np.maximum.reduceat(s, starts)
            hit = np.flatnonzero(s >= best[seg])
            hs = seg[hit]
            first = np.empty(hit.size, dtype=bool)
            first[0] = True
            np.not_equal(hs[1:], hs[:-1], out=first[1:])
            pick = sel[hit[first]]
            taken[pick] = True
            live[pick] = False
        return taken

    def _top_in_groups_sorted(self, group, score, eligible, cap_item):
        sel = np.flatnonzero(eligible)
        by_score = np.argsort(-score[sel], kind="stable")
        order = by_score[np.argsort(group[sel][by_score], kind="stable")]
        sorted_g = group[sel][order]
        start = np.r_[True, sorted_g[1:] != sorted_g[:-1]]
        first = np.maximum.accumulate(np.where(start, np.arange(sel.size), 0))
        rank = np.arange(sel.size) - first
        out = np.zeros_like(eligible)
        keep = order[rank < cap_item[sel][order]]
        out[sel[keep]] = True
        return out

    # ---------------------------------------------------------------- fill
    def counts(self, x):
        """Chosen items per person and per (person, channel)."""
        per_contact = np.bincount(self.cid[x], minlength=self.n_contacts)
        per_cc = np.bincount(self.ccid[x], minlength=self.n_cc)
        return per_contact, per_cc

    def fill(self, x, candidates, limit_count=None):
        """Add ``candidates`` (item indices, in priority order) to ``x`` one
        by one while every cap allows: an item that does not fit is skipped
        and the next one tried, as a plain loop would, but in vectorised
        rounds. The at-least rows (offer minimums) never block an item.

        :param x: bool mask of the chosen items (changed in place)
        :param candidates: item indices in the order to try
        :param limit_count: stop after adding this many items
        :return: x
        """
        cand = np.asarray(candidates, dtype=np.int64)
        cand = cand[~x[cand]]
        per_contact, per_cc = self.counts(x)
        used = self.usage(x)
        cap = self.contact_cap
        at_most = [
            (row_of, coef) for kind, row_of, coef in self.kinds if kind != OFFER_MIN
        ]
        slack = self.limit - used
        added = 0
        pos = 0
        width = FILL_WINDOW
        while pos < cand.size:
            win = cand[pos : pos + width]
            # items that can no longer fit a row or their person
            ok = np.ones(win.size, dtype=bool)
            for row_of, coef in at_most:
                r = row_of[win]
                has = r >= 0
                ok[has] &= coef[win[has]] <= slack[r[has]] + EPS
            if cap is not None:
                ok &= per_contact[self.cid[win]] < cap[self.cid[win]]
            if self.has_channel_caps:
                cc = self.ccid[win]
                ok &= per_cc[cc] < self.cc_cap[cc]
            at = np.flatnonzero(ok)
            win = win[at]
            # per person, in order: the channel cap, then the person's cap
            tent = np.ones(win.size, dtype=bool)
            if self.has_channel_caps and win.size:
                cc = self.ccid[win]
                tent &= _group_rank(cc) < (self.cc_cap[cc] - per_cc[cc])
            if cap is not None and win.size:
                cid = self.cid[win]
                rank = np.full(win.size, NO_CAP)
                t_idx = np.flatnonzero(tent)
                rank[t_idx] = _group_rank(cid[t_idx])
                tent &= rank < (cap[cid] - per_contact[cid])
            # the global rows, in order: the first item that overflows one
            stop = win.size
            for row_of, coef in at_most:
                r = row_of[win]
                has = np.flatnonzero(tent & (r >= 0))
                if not has.size:
                    continue
                cum = _grouped_cumsum(r[has], coef[win[has]])
                hit = np.flatnonzero(cum > slack[r[has]] + EPS)
                if hit.size:
                    stop = min(stop, int(has[hit[0]]))
            take = np.zeros(win.size, dtype=bool)
            take[:stop] = tent[:stop]
            if limit_count is not None:
                t_idx = np.flatnonzero(take)
                if t_idx.size >= limit_count - added:
                    take[:] = False
                    take[t_idx[: limit_count - added]] = True
            chosen = win[take]
            x[chosen] = True
            added += chosen.size
            np.add.at(per_contact, self.cid[chosen], 1)
            np.add.at(per_cc, self.ccid[chosen], 1)
            for row_of, coef in at_most:
                r = row_of[chosen]
                has = r >= 0
                slack -= np.bincount(
                    r[has], weights=coef[chosen[has]], minlength=self.m
                )
            if limit_count is not None and added >= limit_count:
                break
            # done: everything before stop (taken or refused by a person's
            # cap), and the item at stop (it overflowed a row); after an
            # early stop the next window is smaller (the rows are nearly
            # full: stops come often), after a full one it doubles
            if stop < win.size:
                consumed = int(at[stop]) + 1
                width = max(
                    min(MIN_FILL_WINDOW, FILL_WINDOW), min(2 * consumed, FILL_WINDOW)
                )
            else:
                consumed = len(cand[pos : pos + width])
                width = min(2 * width, FILL_WINDOW)
            pos += consumed
        return x

    # ---------------------------------------------------------------- sample
    def subset(self, contacts, scale):
        """The problem restricted to ``contacts`` (dense contact ids), its
        global limits multiplied by ``scale`` (the share of the people
        kept): a small model of the whole whose duals approximate the
        whole's (see lagrangian.py)."""
        keep = np.zeros(self.n_contacts, dtype=bool)
        keep[contacts] = True
        items = keep[self.cid]
        new_pos = np.cumsum(items) - 1
        sub = object.__new__(Compiled)
        sub.problem = self.problem
        sub.index = self.index[items]
        sub.n = int(items.sum())
        for name in ("profit", "cost", "channel", "offer", "campaign"):
            setattr(sub, name, getattr(self, name)[items])
        _, sub.cid = np.unique(self.cid[items], return_inverse=True)
        sub.cid = sub.cid.ravel()
        sub.n_contacts = int(keep.sum())
        cc_keep = np.zeros(self.n_cc, dtype=bool)
        cc_keep[self.ccid[items]] = True
        _, sub.ccid = np.unique(self.ccid[items], return_inverse=True)
        sub.ccid = sub.ccid.ravel()
        sub.n_cc = int(cc_keep.sum())
        sub.cc_channel = self.cc_channel[cc_keep]
        sub.cc_contact = None
        sub.contact_start = None
        sub.max_per_contact = self.max_per_contact
        sub.contact_cap = (
            self.contact_cap[keep] if self.contact_cap is not None else None
        )
        sub.has_channel_caps = self.has_channel_caps
        sub.cc_cap = self.cc_cap[cc_keep] if self.cc_cap is not None else None
        sub.rows = [
            type(row)(
                row.kind,
                row.key,
                row.label,
                row.sense,
                row.limit * scale,
                new_pos[row.members[items[row.members]]],
                row.coef[items[row.members]],
            )
            for row in self.rows
        ]
        sub.m = self.m
        sub.sense = self.sense
        sub.limit = self.limit * scale
        sub.kinds = [(k, row_of[items], coef[items]) for k, row_of, coef in self.kinds]
        sub._G = None
        sub._GT = None
        return sub
