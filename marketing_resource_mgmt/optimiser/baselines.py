# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The two plans the optimiser is compared with.

- *greedy*: candidates by expected value - cost, best first, each taken
  when every budget, capacity, maximum volume and cap per person still
  allows it (what a careful planner does by hand); it may miss a minimum
  volume (reported as violated);
- *everyone*: today's generation, every candidate on every channel, no
  constraint enforced (each broken one is reported as violated).
"""

import time

import numpy as np

from .compiled import EPS, Compiled
from .solution import make_solution


def greedy(problem):
    """The greedy baseline (module docstring).

    :return: Solution (method "greedy")
    """
    t0 = time.perf_counter()
    cp = Compiled(problem, keep=problem.profit > EPS)
    x = np.zeros(cp.n, dtype=bool)
    order = np.argsort(-cp.profit, kind="stable")
    cp.fill(x, order)
    chosen = np.zeros(problem.size, dtype=bool)
    chosen[cp.index[x]] = True
    return make_solution(problem, chosen, "greedy", time.perf_counter() - t0)


def everyone(problem):
    """Every candidate taken, constraints ignored (module docstring).

    :return: Solution (method "everyone")
    """
    t0 = time.perf_counter()
    chosen = np.ones(problem.size, dtype=bool)
    return make_solution(problem, chosen, "everyone", time.perf_counter() - t0)
