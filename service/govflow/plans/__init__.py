"""The annual plan (年度计划): the projects that passed review for a plan year, the plan
compiled from them and checked by the server, and what happens to a project that finishes
review after its year's plan was issued (docs/contract.md "Annual plans")."""
