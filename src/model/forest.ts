/** Prediction straight from the serialized random forest (the JSON that
 * ml-random-forest's toJSON writes to model.json).
 *
 * Why not the library's predict: it wraps every row in ml-matrix views and
 * builds a matrix per tree, about ten times the cost of walking the flattened
 * trees (bench/model/forest.ts measures both), which is what lets one gateway
 * process serve thousands of predictions per second. The test suite checks that both
 * give the same votes. */

interface SerializedNode {
  splitColumn?: number;
  splitValue?: number;
  left?: SerializedNode;
  right?: SerializedNode;
  distribution?: number[][];
}

export interface SerializedForest {
  name: string;
  baseModel: {
    indexes: number[][];
    estimators: { root: SerializedNode }[];
  };
}

export interface Prediction {
  classIndex: number;
  /** Share of trees voting for each class (sums to 1). */
  probabilities: number[];
}

/** A tree flattened into typed arrays: node i splits on `column[i]` at `threshold[i]`;
 * leaves have left[i] = -1 and their class vote in `vote[i]`. */
interface FlatTree {
  column: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  vote: Int32Array;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

function flatten(root: SerializedNode, featureIndexes: readonly number[]): FlatTree {
  const nodes: SerializedNode[] = [];
  const stack: SerializedNode[] = [root];
  const ids = new Map<SerializedNode, number>();
  while (stack.length > 0) {
    const n = stack.pop() as SerializedNode;
    ids.set(n, nodes.length);
    nodes.push(n);
    if (n.left && n.right && n.distribution === undefined) stack.push(n.right, n.left);
  }
  const size = nodes.length;
  const tree: FlatTree = {
    column: new Int32Array(size),
    threshold: new Float64Array(size),
    left: new Int32Array(size).fill(-1),
    right: new Int32Array(size).fill(-1),
    vote: new Int32Array(size),
  };
  nodes.forEach((n, i) => {
    if (n.distribution !== undefined || !n.left || !n.right) {
      tree.vote[i] = argmax(n.distribution?.[0] ?? [1]);
      return;
    }
    // Each tree was trained on a column selection of the features (feature
    // bagging): map its column back to the original feature position.
    const col = featureIndexes[n.splitColumn ?? 0];
    if (col === undefined) throw new Error(`tree splits on column ${n.splitColumn} outside its feature selection`);
    tree.column[i] = col;
    tree.threshold[i] = n.splitValue ?? 0;
    tree.left[i] = ids.get(n.left) as number;
    tree.right[i] = ids.get(n.right) as number;
  });
  return tree;
}

export interface CompiledForest {
  predict(rows: readonly (readonly number[])[]): Prediction[];
}

export function compileForest(model: SerializedForest, classCount: number): CompiledForest {
  if (model.name !== 'RFClassifier') throw new Error(`model.json holds ${model.name}, expected RFClassifier`);
  const trees = model.baseModel.estimators.map((est, i) => flatten(est.root, model.baseModel.indexes[i] ?? []));
  const treeCount = trees.length;
  function predictRow(row: readonly number[]): Prediction {
    const votes = new Array<number>(classCount).fill(0);
    for (const t of trees) {
      let i = 0;
      while (t.left[i] !== -1) {
        // Same comparison as ml-cart: strictly below the split goes left.
        i = (row[t.column[i] as number] as number) < (t.threshold[i] as number) ? (t.left[i] as number) : (t.right[i] as number);
      }
      votes[t.vote[i] as number]! += 1;
    }
    // On a tied vote the lowest class index wins, so the answer does not depend on tree order.
    return { classIndex: argmax(votes), probabilities: votes.map((v) => v / treeCount) };
  }
  return { predict: (rows) => rows.map(predictRow) };
}
