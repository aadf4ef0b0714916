# Outcomes, indicators, readings and targets arrive with the Steps 1–3 issue.
