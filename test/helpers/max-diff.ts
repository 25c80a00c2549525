/** Test helper: the largest absolute element-wise difference of two tensors, read back async. */
import * as tf from '@tensorflow/tfjs'

export async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))))
  const v = (await d.data())[0] ?? NaN
  d.dispose()
  return v
}
