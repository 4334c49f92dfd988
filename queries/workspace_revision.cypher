// The write counter of a workspace (0 when nothing was ever written).
MATCH (w:Workspace {ws: $ws})
RETURN w.rev AS rev
