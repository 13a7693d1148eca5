/* dist.h — distribution tails for p values: upper-tail probabilities of
   the chi2(df), F(df1, df2), and two-sided tails of t(df) and the standard
   normal, to about 1e-15 relative accuracy (regularized incomplete gamma and
   beta functions). A NaN statistic, or a df that is not positive, gives NaN.
   Used for every p value of the IV family. */
#ifndef TFP_DIST_H
#define TFP_DIST_H

double tfp_chi2_tail(double df, double x);
double tfp_F_tail(double df1, double df2, double x);
double tfp_t_tail2(double df, double t);   /* two-sided */
double tfp_norm_tail2(double z);           /* two-sided */
#endif
