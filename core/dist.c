/* dist.c — upper-tail p values of the chi2, F, t and normal distributions
   (see dist.h): series and continued fractions of the regularized
   incomplete gamma and beta functions. */
#include "dist.h"
#include <math.h>

/* Regularized upper incomplete gamma Q(a, x). */
static double gamma_q(double a, double x)
{
  if (!(x > 0)) return 1.0;
  double lg = a * log(x) - x - lgamma(a);
  if (x < a + 1) {           /* series for P */
    double ap = a, sum = 1.0 / a, del = sum;
    for (int i = 0; i < 10000; i++) {
      ap += 1; del *= x / ap; sum += del;
      if (fabs(del) < fabs(sum) * 1e-16) break;
    }
    return 1.0 - sum * exp(lg);
  }
  /* continued fraction for Q (modified Lentz) */
  double b = x + 1 - a, c = 1.0 / 1e-300, dd = 1.0 / b, h = dd;
  for (int i = 1; i < 10000; i++) {
    double an = -i * (i - a);
    b += 2;
    dd = an * dd + b; if (fabs(dd) < 1e-300) dd = 1e-300;
    c = b + an / c;   if (fabs(c) < 1e-300) c = 1e-300;
    dd = 1.0 / dd;
    double del = dd * c;
    h *= del;
    if (fabs(del - 1) < 1e-16) break;
  }
  return exp(lg) * h;
}

static double beta_cf(double a, double b, double x)
{
  double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
  if (fabs(d) < 1e-300) d = 1e-300;
  d = 1 / d;
  double h = d;
  for (int m = 1; m < 10000; m++) {
    int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d; if (fabs(d) < 1e-300) d = 1e-300;
    c = 1 + aa / c; if (fabs(c) < 1e-300) c = 1e-300;
    d = 1 / d; h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d; if (fabs(d) < 1e-300) d = 1e-300;
    c = 1 + aa / c; if (fabs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (fabs(del - 1) < 1e-16) break;
  }
  return h;
}

/* Regularized incomplete beta I_x(a, b). */
static double beta_inc(double a, double b, double x)
{
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return exp(lbt) * beta_cf(a, b, x) / a;
  return 1 - exp(lbt) * beta_cf(b, a, 1 - x) / b;
}

double tfp_chi2_tail(double df, double x)
{
  if (isnan(x) || !(df > 0)) return NAN;
  return gamma_q(df / 2, x / 2);
}

double tfp_F_tail(double df1, double df2, double x)
{
  if (isnan(x) || !(df1 > 0) || !(df2 > 0)) return NAN;
  if (x <= 0) return 1.0;
  return beta_inc(df2 / 2, df1 / 2, df2 / (df2 + df1 * x));
}

double tfp_t_tail2(double df, double t)
{
  if (isnan(t) || !(df > 0)) return NAN;
  return beta_inc(df / 2, 0.5, df / (df + t * t));
}

double tfp_norm_tail2(double z)
{
  if (isnan(z)) return NAN;
  return erfc(fabs(z) / sqrt(2.0));
}
