# Options, SMART actions, milestones and updates arrive with the Steps 4–5 issue.
