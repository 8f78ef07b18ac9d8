// Python's '{:.Nf}' rounds the exact binary value half to even; JS toFixed rounds ties up
// (0.0625 -> '0.062' in Python, '0.063' in JS). The summary lines must print what pycocotools prints.

/** Python `format(x, '.{digits}f')` for finite x. */
export function pythonFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  // toFixed(100) is exact for |x| >= 2^-48; anything smaller rounds to zero at any digits we print.
  const exact = abs >= 2 ** -48 ? abs.toFixed(100) : '0.'.padEnd(102, '0');
  const [intPart, fracPart] = exact.split('.');
  const kept = intPart + fracPart.slice(0, digits);
  const rest = fracPart.slice(digits);
  let roundUp = false;
  if (rest[0] > '5') roundUp = true;
  else if (rest[0] === '5') {
    const beyond = /[1-9]/.test(rest.slice(1));
    roundUp = beyond || Number(kept[kept.length - 1]) % 2 === 1;
  }
  let digitsOut = kept;
  if (roundUp) {
    const bumped = (BigInt(kept) + 1n).toString();
    digitsOut = bumped.padStart(kept.length, '0');
  }
  const whole = digitsOut.slice(0, digitsOut.length - digits) || '0';
  const frac = digitsOut.slice(digitsOut.length - digits);
  return (negative ? '-' : '') + whole + (digits > 0 ? `.${frac}` : '');
}
