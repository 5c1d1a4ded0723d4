import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KS_EXACT_BELOW, ksAsymptoticPValue, ksExactPValue, ksResult, ksUsesExact } from '../../src/drift/index.js';

// Two-sided p-values P(D ≥ d) of the two-sample KS test, from Debian's
// python3-scipy 1.10.1: scipy.stats._stats_py._attempt_exact_2kssamp(n, m, gcd(n, m), d,
// "two-sided"), the computation behind ks_2samp(method="exact"), and for the
// larger sizes also scipy's asymptotic ks_2samp(method="asymp"), kstwo.sf(d, round(n·m/(n+m))).
// Rows: [n, m, h, p] with d = h/(n·m) (D is always a multiple of 1/(n·m)).
const EXACT_SMALL: [number, number, number, number][] = [
  [5, 5, 10, 0.873015873015873],
  [5, 5, 15, 0.35714285714285715],
  [5, 5, 20, 0.07936507936507936],
  [5, 5, 25, 0.007936507936507936],
  [5, 16, 8, 1.0],
  [5, 16, 16, 0.9880583812472358],
  [5, 16, 24, 0.789031402034498],
  [5, 16, 36, 0.28448572411420703],
  [5, 16, 48, 0.08816158042164234],
  [5, 16, 64, 0.006781660032434025],
  [5, 16, 80, 9.828492800629023e-5],
  [5, 1000, 500, 1.0],
  [5, 1000, 1000, 0.9631069872879224],
  [5, 1000, 1500, 0.6680627063319832],
  [5, 1000, 2250, 0.19682243060642235],
  [5, 1000, 3000, 0.030881628118441723],
  [5, 1000, 4000, 0.0006791334211901622],
  [5, 1000, 5000, 2.36433349658093e-13],
  [10, 10, 10, 1.0],
  [10, 10, 20, 0.9944575548290717],
  [10, 10, 30, 0.7869297884777761],
  [10, 10, 40, 0.41752365281777043],
  [10, 10, 60, 0.05244755244755244],
  [10, 10, 80, 0.002056766762649115],
  [10, 10, 100, 1.0825088224469026e-5],
  [10, 31, 31, 0.9999473293808037],
  [10, 31, 62, 0.8575328745512993],
  [10, 31, 93, 0.4183949109711778],
  [10, 31, 140, 0.0569857441223446],
  [10, 31, 186, 0.004765306235894471],
  [10, 31, 248, 2.4811359101172585e-5],
  [10, 31, 310, 1.7839631220285152e-9],
  [10, 1000, 1000, 0.9996893209640485],
  [10, 1000, 2000, 0.7551783888635962],
  [10, 1000, 3000, 0.27673431315489827],
  [10, 1000, 4500, 0.024099296335323907],
  [10, 1000, 6000, 0.0006266486339557097],
  [10, 1000, 8000, 2.774845778969427e-7],
  [10, 1000, 10000, 6.870526175538918e-24],
  [20, 20, 40, 0.9999923931635496],
  [20, 20, 80, 0.8319696107963263],
  [20, 20, 120, 0.33559098126008213],
  [20, 20, 180, 0.0335416594061465],
  [20, 20, 240, 0.001115801546231492],
  [20, 20, 320, 1.3259673752008224e-6],
  [20, 20, 400, 1.4508889103849681e-11],
  [20, 61, 122, 0.9925602046918768],
  [20, 61, 244, 0.5114810257786128],
  [20, 61, 366, 0.1067112225838477],
  [20, 61, 549, 0.0028784445079140103],
  [20, 61, 732, 1.4136093315244393e-5],
  [20, 61, 976, 3.3331561215382945e-10],
  [20, 61, 1220, 4.2603625218187877e-19],
  [20, 1000, 2000, 0.9788706327010273],
  [20, 1000, 4000, 0.36595851634372206],
  [20, 1000, 6000, 0.046755375063674255],
  [20, 1000, 9000, 0.0003921876317405612],
  [20, 1000, 12000, 2.9548768431720174e-7],
  [20, 1000, 16000, 6.754057105741965e-14],
  [20, 1000, 20000, 3.9497506315064564e-42],
  [50, 50, 250, 0.9667464356809096],
  [50, 50, 500, 0.2719135601522248],
  [50, 50, 750, 0.02170784069014051],
  [50, 50, 1100, 9.909301386655972e-5],
  [50, 50, 1500, 1.0624962385385807e-8],
  [50, 50, 2000, 3.431475620512199e-16],
  [50, 50, 2500, 1.9823306042836678e-29],
  [50, 151, 755, 0.8029829441999711],
  [50, 151, 1510, 0.08484822479563371],
  [50, 151, 2265, 0.0017375099300006149],
  [50, 151, 3398, 1.7250539104857682e-7],
  [50, 151, 4530, 3.685919209633573e-13],
  [50, 151, 6040, 7.980201984255446e-25],
  [50, 151, 7550, 3.310476649266896e-48],
  [50, 1000, 5000, 0.6941190765338804],
  [50, 1000, 10000, 0.0386754819725431],
  [50, 1000, 15000, 0.0002768208087954167],
  [50, 1000, 22500, 2.7732820591814595e-9],
  [50, 1000, 30000, 8.153792822272801e-17],
  [50, 1000, 40000, 9.387850299046114e-33],
  [50, 1000, 50000, 1.735689410065997e-86],
];
// Rows: [n, m, h, exact p, scipy's asymptotic p], above the size where the exporter switches to the asymptotic form.
const LARGE: [number, number, number, number, number][] = [
  [200, 200, 1200, 0.9999920612641017, 0.9999692479033473],
  [200, 200, 2000, 0.9646522162314058, 0.9532159710635725],
  [200, 200, 3200, 0.5452713464323318, 0.5182193645480672],
  [200, 200, 4000, 0.2704743832803917, 0.2526927570063874],
  [200, 200, 6000, 0.0220923622208589, 0.019839242125643017],
  [200, 200, 8000, 0.000648608042418048, 0.0005551927327988775],
  [150, 1000, 4500, 0.9995876583322554, 0.9995990103516594],
  [150, 1000, 7500, 0.8838569309154176, 0.8848830931024276],
  [150, 1000, 12000, 0.35553328199613066, 0.3572117158205773],
  [150, 1000, 15000, 0.13770883399047373, 0.13871674411553628],
  [150, 1000, 22500, 0.0050328723538936556, 0.005107977540141774],
  [150, 1000, 30000, 4.821370189249048e-5, 4.927808388455966e-5],
  [500, 500, 7500, 0.978250151785604, 0.9730856777604212],
  [500, 500, 12500, 0.5600220048872044, 0.5427406465653757],
  [500, 500, 20000, 0.08150167321107067, 0.07714765339021268],
  [500, 500, 25000, 0.01343088815558133, 0.01252034472993464],
  [500, 500, 37500, 2.521544567318862e-5, 2.2447668867543834e-5],
  [500, 500, 50000, 3.6740572722559346e-9, 3.0586491774805816e-9],
  [1000, 1000, 30000, 0.7593695685682871, 0.7473166700457021],
  [1000, 1000, 50000, 0.16411447756429137, 0.15866260223815365],
  [1000, 1000, 80000, 0.003311056963176061, 0.0031305058199356268],
  [1000, 1000, 100000, 8.974277567313009e-5, 8.342293067263533e-5],
  [1000, 1000, 150000, 3.143161402242108e-10, 2.758171849513672e-10],
  [1000, 10000, 300000, 0.3804146611855125, 0.3791073149052684],
  [1000, 10000, 500000, 0.020635195563585725, 0.02051448649563306],
  [1000, 10000, 800000, 1.67153731916664e-5, 1.654812497065484e-5],
  [1000, 10000, 1000000, 2.3273409481264166e-8, 2.29517873282512e-8],
];

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

const relClose = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(expected, 1e-300) + 1e-300, `${what}: expected ${expected}, got ${actual}`);

test("KS p-values at n = 5, 10, 20, 50 are exact: they match scipy's exact method", () => {
  for (const [n, m, h, p] of EXACT_SMALL) {
    const d = h / (n * m);
    const r = ksResult(d, n, m);
    assert.equal(r.method, 'exact', `n=${n} m=${m}`);
    relClose(r.pValue, p, `n=${n} m=${m} d=${d}`);
  }
});

test('the asymptotic form would be wrong there: at n = m = 5 it halves the p-value of D = 0.8', () => {
  // Exact 0.0794 (20 of 252 merge orders): not significant at 0.05. Asymptotic: 0.036, "significant".
  assert.ok(Math.abs(ksExactPValue(0.8, 5, 5) - 0.07936507936507936) < 1e-15);
  const asymptotic = ksAsymptoticPValue(0.8, 5, 5);
  assert.ok(asymptotic < 0.05 && asymptotic > 0.03, `asymptotic ${asymptotic}`);
});

test("above the switch the asymptotic p-value is used, and stays close to scipy's exact and asymptotic values", () => {
  for (const [n, m, h, exact, scipyAsymptotic] of LARGE) {
    const d = h / (n * m);
    const r = ksResult(d, n, m);
    assert.equal(r.method, 'asymptotic', `n=${n} m=${m}`);
    const bound = exact <= 0.1 ? 0.008 : 0.02;
    assert.ok(Math.abs(r.pValue - exact) <= bound, `n=${n} m=${m} d=${d}: ${r.pValue} vs exact ${exact} (bound ${bound})`);
    assert.ok(Math.abs(r.pValue - scipyAsymptotic) <= bound, `n=${n} m=${m} d=${d}: ${r.pValue} vs scipy's asymptotic ${scipyAsymptotic}`);
    // The exact count agrees with scipy there too, for whoever wants it.
    if (n * m <= 1_000_000) relClose(ksExactPValue(d, n, m), exact, `exact n=${n} m=${m}`);
  }
});

test('the switch: from an effective size of KS_EXACT_BELOW on, the asymptotic form is within 0.02 of the exact p (0.008 where p ≤ 0.1)', () => {
  assert.equal(ksUsesExact(199, 200), true);
  assert.equal(ksUsesExact(200, 200), false, 'n·m/(n+m) = 100');
  // Every D with an exact p above 1e-8 at the smallest sizes on the asymptotic side.
  for (const [n, m] of [
    [200, 200],
    [112, 1000],
  ] as const) {
    assert.ok((n * m) / (n + m) >= KS_EXACT_BELOW);
    let worst = 0;
    let worstSmall = 0;
    // D is a multiple of gcd(n, m)/(n·m): only those values can occur.
    const g = gcd(n, m);
    for (let h = g; h <= n * m; h += g * Math.max(1, Math.floor((n * m) / g / 2000))) {
      const exact = ksExactPValue(h / (n * m), n, m);
      if (exact < 1e-8) break;
      const gap = Math.abs(ksAsymptoticPValue(h / (n * m), n, m) - exact);
      worst = Math.max(worst, gap);
      if (exact <= 0.1) worstSmall = Math.max(worstSmall, gap);
    }
    assert.ok(worst <= 0.02, `n=${n} m=${m}: worst gap ${worst}`);
    assert.ok(worstSmall <= 0.008, `n=${n} m=${m}: worst gap where p ≤ 0.1: ${worstSmall}`);
  }
});

test('the exact count is a probability: D = 0 gives 1, the largest D gives 2/C(n+m, n), and it falls as D grows', () => {
  assert.equal(ksExactPValue(0, 7, 9), 1);
  assert.ok(Math.abs(ksExactPValue(1, 7, 9) - 2 / 11440) < 1e-18, 'C(16, 7) = 11440');
  let last = 1;
  for (let h = 1; h <= 63; h++) {
    const p = ksExactPValue(h / 63, 7, 9);
    assert.ok(p <= last + 1e-15 && p >= 0, `h=${h}`);
    last = p;
  }
});
