# Weighted kernel VCEs (ivreg2 with aweights/pweights and bw()), independent of tfpkit.
# Run from this folder: Rscript weighted_hac.R > weighted_hac_expected.csv
# Data: ../stata-ivreg2/ts_hac_data.csv (t = 1..200), weight wt = 0.5 + (t mod 7)/4.
# Model: OLS y on x, w and a constant (ivreg2 y x w [pw|aw = wt], ...).
#  hac: robust + Bartlett kernel, bw = 4 (lags 1..3 with 1 - j/4). ivreg2 (not small)
#       is the HC0-type sandwich with w_t w_s e_t e_s x_t x_s' in the meat, which is
#       sandwich::NeweyWest(lm(..., weights = wt), lag = 3, prewhite = FALSE,
#       adjust = FALSE); the same for aweights and pweights (ivreg2's m_omega).
#  ac:  aweights, no robust, Bartlett bw = 4 (ivreg2's AC): V = ZZ^-1 S ZZ^-1 with
#       ZZ = X'WX, S = s_0 ZZ + sum_j k_j (s_j ZZ_j + (s_j ZZ_j)'), s_j = sum w_t w_{t-j}
#       e_t e_{t-j} / N, ZZ_j = sum w_t w_{t-j} x_t x_{t-j}', w rescaled to sum to N
#       (ivreg2's m_omega, AC block, written out here from its definition).
library(sandwich)
d <- read.csv("../stata-ivreg2/ts_hac_data.csv"); d <- d[order(d$t), ]
stopifnot(all(diff(d$t) == 1))
d$wt <- 0.5 + (d$t %% 7) / 4
f <- lm(y ~ x + w, data = d, weights = wt)
hac <- sqrt(diag(NeweyWest(f, lag = 3, prewhite = FALSE, adjust = FALSE)))

X <- cbind(d$x, d$w, 1); n <- nrow(X)
w <- d$wt * n / sum(d$wt)
e <- as.vector(d$y - X %*% coef(f)[c(2, 3, 1)])
ZZ <- crossprod(X, w * X)
S <- sum(w * e^2) / n * ZZ
for (j in 1:3) {
  a <- (j + 1):n; b <- 1:(n - j)
  sj <- sum(w[a] * w[b] * e[a] * e[b]) / n
  ZZj <- crossprod(X[a, ], (w[a] * w[b]) * X[b, ])
  S <- S + (1 - j / 4) * (sj * ZZj + t(sj * ZZj))
}
ac <- sqrt(diag(solve(ZZ) %*% S %*% solve(ZZ)))
cat("case,term,std_error\n")
for (k in c("pw_hac", "aw_hac")) for (i in 1:3)
  cat(sprintf("%s,%s,%.17g\n", k, c("_cons", "x", "w")[i], hac[i]))
for (i in 1:3) cat(sprintf("aw_ac,%s,%.17g\n", c("x", "w", "_cons")[i], ac[i]))
