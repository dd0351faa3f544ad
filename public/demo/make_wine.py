"""Writes wine.csv (the demo dataset) and wine.reference.json (scikit-learn's scores).

Data: the UCI Wine recognition data set (Forina et al.; Lichman, UCI ML Repository),
178 wines x 13 chemical measurements, 3 cultivars; shipped inside scikit-learn
(BSD-3-Clause) as sklearn.datasets.load_wine, and published by UCI under CC BY 4.0.

Reference: a standardized LogisticRegression scored by stratified 5-fold cross-validation,
the bar the end-to-end tests' accuracy threshold is set from.
Run: python3 public/demo/make_wine.py
"""

import json
from pathlib import Path

from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import sklearn

here = Path(__file__).parent
data = load_wine(as_frame=True)
frame = data.frame.rename(columns={"od280/od315_of_diluted_wines": "od280_od315"})
frame["target"] = frame["target"].map(lambda i: f"cultivar_{i}")
frame = frame.rename(columns={"target": "cultivar"})
frame.to_csv(here / "wine.csv", index=False, float_format="%.4g")

model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
scores = cross_validate(model, frame.drop(columns="cultivar"), frame["cultivar"], cv=folds, scoring=["accuracy", "f1_macro"])
reference = {
    "dataset": "wine.csv",
    "target": "cultivar",
    "rows": len(frame),
    "model": "StandardScaler + LogisticRegression, stratified 5-fold CV",
    "scikit_learn": sklearn.__version__,
    "accuracy_mean": round(float(scores["test_accuracy"].mean()), 4),
    "accuracy_min_fold": round(float(scores["test_accuracy"].min()), 4),
    "f1_macro_mean": round(float(scores["test_f1_macro"].mean()), 4),
}
(here / "wine.reference.json").write_text(json.dumps(reference, indent=2) + "\n")
print(json.dumps(reference, indent=2))
