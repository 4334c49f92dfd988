"""Seeded synthetic portfolios: realistic buying committees for tests, demos and benchmarks.

A portfolio is a set of accounts, each with one to three deals. Every account has a
pool of people with a reporting tree (one head, managers, their reports) and informal
influence lines on top of the formal ones; each deal's committee (about
``stakeholders_per_deal`` people) is drawn from its account's pool, so the same person
often sits on several deals with a different role. Over ``months`` months each
committee forms, its members' stances drift, a few members leave, and the account team
records about ``interactions_per_deal`` contacts.

Built-in patterns the analysis should find (see :attr:`PortfolioGenerator.traits`):

* a decision-maker role (Decision Maker or Economic Decision Maker) on most deals,
  given to someone at the top of the account's reporting tree;
* ``uncontacted_dm_share`` of the deals whose top decision-maker never appears in an
  interaction;
* ``shrinking_share`` of the deals whose support falls over the last six weeks;
  ``growing_share`` whose support rises.

Everything is derived from ``seed`` (each account from its own sub-seed, so the
chunk size does not change the data) and from ``now``; with the same arguments the
output is identical. ``now`` defaults to today's midnight UTC.

The modules: :mod:`.generator` (accounts and deals, chunk by chunk),
:mod:`.organisation` (an account's reporting tree and influence lines),
:mod:`.committees` (a deal's members, roles and stance history), :mod:`.activities`
(the team's contacts), :mod:`.vocabulary` (the words drawn from), :mod:`.frame` (ids
and the time span).

Example
-------
>>> from graphsvc.synth import generate_portfolio
>>> bundles = list(generate_portfolio(4, seed=1, chunk_deals=2))
>>> sum(len(b.deals) for b in bundles)
4
"""

from graphsvc.synth.generator import DealTraits, PortfolioGenerator, generate_portfolio

__all__ = ["DealTraits", "PortfolioGenerator", "generate_portfolio"]
