"""Influence analysis of buying committees (pure functions, plus the service that feeds them).

* :mod:`~graphsvc.analysis.ranking`: 0-100 influence score and rank of every member.
* :mod:`~graphsvc.analysis.decision`: the top decision-maker and their contact status.
* :mod:`~graphsvc.analysis.support`: support base, coverage, map completeness, history, trend.
* :mod:`~graphsvc.analysis.flags`: the twelve risk flags.
* :mod:`~graphsvc.analysis.forecast`: Friedkin-Johnsen forecast of the stances.
* :mod:`~graphsvc.analysis.next_best`: whom to win over next, and how.
* :mod:`~graphsvc.analysis.paths`: warm paths from our team to the top decision-maker.
* :mod:`~graphsvc.analysis.deal`: one deal's full analysis with networkx (the reference);
  :mod:`~graphsvc.analysis.fleet`: the same analysis vectorised, for every open deal at
  once (the fleet scan) or for one deal (what the service serves); tests hold the two
  equal (scores within 1e-9, same flags).
* :mod:`~graphsvc.analysis.params`: every weight and threshold;
  :mod:`~graphsvc.analysis.service`: the verbs the API, CLI and e-mails call.
"""
