"""Train the example model and write its reference data.

The wine data set ships inside scikit-learn (nothing is downloaded). The model
is a random forest; the reference file holds the training rows, their true
class and the model's own prediction for each, which is what
`mlmon model register` profiles:

    python3 train.py --out build
    mlmon model register wine --reference build/reference.csv \\
        --target cultivar --prediction-column predicted
"""
import argparse
import csv
import os
import pickle

from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

FEATURES = ["alcohol", "malic_acid", "ash", "magnesium", "flavanoids", "color_intensity", "hue", "proline"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="build", help="folder for model.pkl and reference.csv")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    wine = load_wine()
    columns = [wine.feature_names.index(f) for f in FEATURES]
    x = wine.data[:, columns]
    x_train, x_test, y_train, y_test = train_test_split(x, wine.target, test_size=0.25, random_state=args.seed, stratify=wine.target)
    model = RandomForestClassifier(n_estimators=100, random_state=args.seed)
    model.fit(x_train, y_train)
    classes = [f"cultivar_{i}" for i in range(len(wine.target_names))]

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "model.pkl"), "wb") as f:
        pickle.dump({"model": model, "features": FEATURES, "classes": classes}, f)

    with open(os.path.join(args.out, "reference.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(FEATURES + ["cultivar", "predicted"])
        for row, truth, pred in zip(x_train.tolist(), y_train, model.predict(x_train)):
            out.writerow(row + [classes[truth], classes[pred]])
    # Held-out rows, for realistic traffic.
    with open(os.path.join(args.out, "heldout.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(FEATURES + ["cultivar"])
        for row, truth in zip(x_test.tolist(), y_test):
            out.writerow(row + [classes[truth]])
    accuracy = (model.predict(x_test) == y_test).mean()
    print(f"trained wine model: held-out accuracy {accuracy:.3f}; wrote {args.out}/model.pkl, reference.csv, heldout.csv")


if __name__ == "__main__":
    main()
