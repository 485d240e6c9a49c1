"""Mixed-integer programs in matrix form, and the open solvers that solve them.

A model is built once as a :class:`~models.solvers.milp.Milp` (objective,
sparse constraint matrix, bounds, integrality); each backend (HiGHS through
highspy, CBC through PuLP, OR-Tools) solves that same form and answers with
a solver-neutral :class:`~models.solvers.milp.MilpResult`.
"""
