"""The category classifier: suggests a case's category from its description, learnt from the city's own verified
cases (issue 8).

- `text`: folding Vietnamese and English text so accents, case, numbers and links do not split words (pure);
- `model`: the scikit-learn pipeline, its training and held-out evaluation, serialisation (pure, no Django);
- `training`: the verified cases as examples, new versions, activation, and the status shown to the centre;
- `suggest`: the active version, cached in the process, answering `suggestion_for(case)` at triage;
- `demo_texts`: realistic citizen report texts per demo category, to seed the demo city with labelled cases.
"""
