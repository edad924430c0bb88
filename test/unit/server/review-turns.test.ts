import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { createReviewTurns } from '../../../server/kube/review-turns.ts';

/** A review that stays open until released, counting how many are open at once. */
function openReviews() {
  let open = 0;
  let most = 0;
  const releases: (() => void)[] = [];
  const review = () =>
    new Promise<string>((resolve) => {
      open += 1;
      most = Math.max(most, open);
      releases.push(() => {
        open -= 1;
        resolve('allowed');
      });
    });
  const releaseAll = async () => {
    while (releases.length > 0) {
      for (const release of releases.splice(0)) release();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { review, releaseAll, most: () => most, open: () => open };
}

describe('review turns', () => {
  it('sends at most atOnce reviews to the API server however many callers ask together', async () => {
    const turns = createReviewTurns({ atOnce: 4, waiting: 1000 });
    const reviews = openReviews();
    const answers = Array.from({ length: 500 }, () => turns(reviews.review));
    await new Promise((r) => setImmediate(r));
    assert.equal(reviews.open(), 4);
    await reviews.releaseAll();
    assert.deepEqual(new Set(await Promise.all(answers)), new Set(['allowed']));
    assert.equal(reviews.most(), 4, 'never more than atOnce at the API server');
  });

  it('refuses a review past the waiting bound with 503 and Retry-After, and serves the rest', async () => {
    const turns = createReviewTurns({ atOnce: 2, waiting: 10 });
    const reviews = openReviews();
    const settled = Array.from({ length: 20 }, () =>
      turns(reviews.review).then(
        (answer) => answer,
        (error: unknown) => error,
      ),
    );
    await new Promise((r) => setImmediate(r));
    await reviews.releaseAll();
    const results = await Promise.all(settled);
    const refused = results.filter((r): r is FurnaceError => r instanceof FurnaceError);
    assert.equal(results.filter((r) => r === 'allowed').length, 12, 'two at once and ten waiting');
    assert.equal(refused.length, 8);
    assert.equal(refused[0]?.code, 'ERR_UNAVAILABLE');
    assert.match(refused[0]?.message ?? '', /10 waiting, the most it keeps \(10\)/);
    assert.equal(refused[0]?.details?.retryAfterSeconds, 2);
  });
});
