"""Forecast: where the committee's stances are heading (Friedkin-Johnsen model).

Friedkin & Johnsen (1999, "Social influence networks and opinion change", Advances in
Group Processes 16) model opinion formation in a small group as
``x* = (I - Λ W)^-1 (I - Λ) x0``:

* ``x0``: the initial stances on the five-step scale (-2..+2; unknown counts as 0);
* ``W``: row-stochastic; ``w_ii`` is member i's self-weight (their ``self_weight`` or
  ``default_self_weight`` 0.5; **1** for a member nobody on the committee influences),
  and the rest of row i, ``1 - w_ii``, is split over the members who influence i in
  proportion to the strengths of those influence lines;
* ``Λ = I - diag(W)``: susceptibility to influence.

When every ``w_ii > 0`` the matrix ``I - Λ W`` is strictly diagonally dominant (row i:
``1 - λ_i w_ii - λ_i (1 - w_ii) = w_ii > 0``), so the equilibrium exists and is unique.
With a self-weight of 0 somewhere that can fail (a closed group of fully susceptible
members has no anchor); we then iterate ``x(t+1) = Λ W x(t) + (I - Λ) x0`` from ``x0``
(Friedkin and Johnsen's own recursion) for up to ``10_000`` steps.

**Support level** of a stance vector ``x``: ``sum_i weight_i * clip(x_i, 0, 1)``, with
the influence weights of :mod:`graphsvc.analysis.support`. For today's integer stances
it equals the support share (supporters and champions count fully); for predicted,
fractional stances a member half-way to supporter counts half.
"""

from __future__ import annotations

import numpy as np

from graphsvc.analysis.params import DEFAULT_PARAMS, AnalysisParams
from graphsvc.analysis.ranking import MemberScores, score_members
from graphsvc.analysis.schemas import Forecast, ForecastMember
from graphsvc.analysis.support import influence_weights
from graphsvc.domain.models import from_ms
from graphsvc.domain.snapshot import DealSnapshot

_ITERATION_LIMIT = 10_000


def influence_matrix(
    snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS
) -> np.ndarray:
    """The row-stochastic Friedkin-Johnsen ``W`` of a committee (``snapshot.members`` order).

    Examples
    --------
    A sways B with strength 1 and C sways B with strength 3; B keeps 0.5 for itself.

    >>> from graphsvc.analysis._examples import committee
    >>> snap = committee([("a", "Other"), ("b", "Other"), ("c", "Other")],
    ...                  influences=[("a", "b", 0.25), ("c", "b", 0.75)])
    >>> influence_matrix(snap).round(3).tolist()
    [[1.0, 0.0, 0.0], [0.125, 0.5, 0.375], [0.0, 0.0, 1.0]]
    """
    members = snapshot.members
    n = len(members)
    index = {m.id: i for i, m in enumerate(members)}
    weights = np.zeros((n, n))
    for line in snapshot.influences:
        # Row = the one influenced (target), column = who influences them (source).
        weights[index[line.target_id], index[line.source_id]] += line.strength
    for i, member in enumerate(members):
        incoming = weights[i].sum()
        if incoming <= 0:
            weights[i, i] = 1.0
            continue
        own = params.default_self_weight if member.self_weight is None else member.self_weight
        weights[i] *= (1.0 - own) / incoming
        weights[i, i] = own
    return weights


def friedkin_johnsen(weights: np.ndarray, initial: np.ndarray) -> np.ndarray:
    """Equilibrium opinions ``x* = (I - Λ W)^-1 (I - Λ) x0`` with ``Λ = I - diag(W)``.

    Parameters
    ----------
    weights : ndarray, shape (n, n)
        Row-stochastic influence matrix ``W``.
    initial : ndarray, shape (n,)
        Initial opinions ``x0``.

    Returns
    -------
    ndarray
        Equilibrium opinions; empty for ``n == 0``.

    Examples
    --------
    The four-person group of Friedkin and Johnsen (1999), Table 1:

    >>> W = np.array([[.220, .120, .360, .300], [.147, .215, .344, .294],
    ...               [0, 0, 1, 0], [.090, .178, .446, .286]])
    >>> friedkin_johnsen(W, np.array([25.0, 25.0, 75.0, 85.0])).round(0).tolist()
    [60.0, 60.0, 75.0, 75.0]
    """
    n = len(initial)
    if n == 0:
        return np.zeros(0)
    own = np.diag(weights).copy()
    susceptibility = 1.0 - own
    anchored = own * initial
    if np.all(own > 0):
        system = np.eye(n) - susceptibility[:, None] * weights
        result: np.ndarray = np.linalg.solve(system, anchored)
        return result
    state = initial.astype(float).copy()
    step = susceptibility[:, None] * weights
    for _ in range(_ITERATION_LIMIT):
        nxt = step @ state + anchored
        if np.max(np.abs(nxt - state)) < 1e-13:
            return nxt
        state = nxt
    return state


def friedkin_johnsen_operator(weights: np.ndarray) -> np.ndarray:
    """The linear map ``M`` with ``x* = M x0`` (column j: the equilibrium of ``x0 = e_j``).

    Examples
    --------
    >>> friedkin_johnsen_operator(np.array([[1.0, 0.0], [0.5, 0.5]])).round(4).tolist()
    [[1.0, 0.0], [0.3333, 0.6667]]
    """
    n = len(weights)
    if n == 0:
        return np.zeros((0, 0))
    own = np.diag(weights).copy()
    if np.all(own > 0):
        system = np.eye(n) - (1.0 - own)[:, None] * weights
        result: np.ndarray = np.linalg.solve(system, np.diag(own))
        return result
    return np.column_stack([friedkin_johnsen(weights, column) for column in np.eye(n)])


def support_level(stances: np.ndarray, weights: np.ndarray) -> float:
    """Influence-weighted support of a stance vector: ``sum(weights * clip(x, 0, 1))``.

    Examples
    --------
    >>> support_level(np.array([2.0, 0.5, -1.0]), np.array([0.5, 0.25, 0.25]))
    0.625
    """
    if len(stances) == 0:
        return 0.0
    return float(np.dot(weights, np.clip(stances, 0.0, 1.0)))


def initial_stances(snapshot: DealSnapshot) -> np.ndarray:
    return np.array([m.stance.numeric for m in snapshot.members], dtype=float)


def build_forecast(
    snapshot: DealSnapshot,
    scores: MemberScores,
    predicted: np.ndarray,
) -> Forecast:
    """The :class:`Forecast` result from a solved equilibrium (shared by both paths)."""
    x0 = initial_stances(snapshot)
    weights = influence_weights(scores.score)
    members = snapshot.members
    return Forecast.model_construct(
        deal_id=snapshot.deal.id,
        as_of=from_ms(snapshot.as_of),
        stakeholders=[
            ForecastMember.model_construct(
                stakeholder_id=members[i].id,
                name=members[i].stakeholder.name,
                initial=float(x0[i]),
                predicted=float(predicted[i]),
            )
            for i in scores.order
        ],
        current_support=support_level(x0, weights),
        predicted_support=support_level(predicted, weights),
    )


def forecast(snapshot: DealSnapshot, *, params: AnalysisParams = DEFAULT_PARAMS) -> Forecast:
    """Predicted stance of every member and the predicted influence-weighted support.

    Parameters
    ----------
    snapshot : DealSnapshot
        The committee as of an instant.
    params : AnalysisParams
        ``default_self_weight`` and the ranking weights (for the influence weights).

    Returns
    -------
    Forecast
        Members in rank order; an empty committee gives no members and support 0.

    Examples
    --------
    A champion (+2, keeps their view: nobody influences them) sways a neutral member
    with self-weight 0.5: ``x_b = λ (w_ba x_a + w_bb x_b) + (1 - λ) x0_b`` with
    ``λ = 0.5`` gives ``x_b = 0.5 (0.5 * 2 + 0.5 x_b)``, so ``x_b = 2 / 3``.

    >>> from graphsvc.analysis._examples import committee
    >>> snap = committee([("a", "Other", 3, "champion"), ("b", "Other", 3, "neutral")],
    ...                  influences=[("a", "b", 1.0)])
    >>> [(m.stakeholder_id, m.predicted) for m in forecast(snap).stakeholders]
    [('a', 2.0), ('b', 0.6666666666666666)]
    """
    scores = score_members(snapshot, params=params)
    predicted = friedkin_johnsen(
        influence_matrix(snapshot, params=params), initial_stances(snapshot)
    )
    return build_forecast(snapshot, scores, predicted)
