"""Influence analysis of buying committees (pure functions, plus the service that feeds them).

* :mod:`~graphsvc.analysis.engine`: **the** analysis: each deal's ranking, top
  decision-maker, support base and trend, risk flags and support history, one deal or a
  whole fleet in one vectorised pass (one deal is a fleet of one).
* :mod:`~graphsvc.analysis.ranking`: 0-100 influence score and rank of every member.
* :mod:`~graphsvc.analysis.decision`: the top decision-maker and their contact status.
* :mod:`~graphsvc.analysis.support`: support base, map completeness, history instants,
  trend; :mod:`~graphsvc.analysis.coverage`: how well our team reached each member.
* :mod:`~graphsvc.analysis.flags`: the twelve risk flags.
* :mod:`~graphsvc.analysis.forecast`: Friedkin-Johnsen forecast of the stances.
* :mod:`~graphsvc.analysis.next_best`: whom to win over next, and how.
* :mod:`~graphsvc.analysis.paths`: warm paths from our team to the top decision-maker.
* :mod:`~graphsvc.analysis.folding`: a deal's dated facts folded into its committee as
  of any instant; :mod:`~graphsvc.analysis.assembly`: results built from scores;
  :mod:`~graphsvc.analysis.vectorised`: the engine's fleet-wide maths.
* :mod:`~graphsvc.analysis._reference`: the same analysis one deal at a time with
  networkx, private; tests hold the engine equal to it (scores within 1e-9, same flags).
* :mod:`~graphsvc.analysis.params`: every weight and threshold;
  :mod:`~graphsvc.analysis.service`: the verbs the API, CLI and e-mails call.
"""
