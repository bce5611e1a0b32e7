// The simulator's own random numbers. The standard library's distributions may differ from
// one implementation to another, so the generator (splitmix64) and every sampling method
// are written here: the same seed gives the same run with any compiler and library. Only
// IEEE-exact arithmetic and std::log/exp/sqrt/cos are used.
#pragma once

#include <cmath>
#include <cstdint>

#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE
namespace sim {

class Random {
  public:
    explicit Random(std::uint64_t seed) : state_(seed) {}

    // splitmix64 (Steele, Lea and Flood): a 64-bit state moved by a constant, then mixed.
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1), from the top 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in [0, n); n > 0, by scaling a 53-bit uniform (fair for n far below 2^53).
    std::uint64_t below(std::uint64_t n) {
        return static_cast<std::uint64_t>(uniform() * static_cast<double>(n)) % n;
    }
    bool chance(double p) { return uniform() < p; }
    // Exponential with the given mean (inverse transform).
    double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
    // Standard normal (Box-Muller, one value per call).
    double normal() {
        double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    // Log-normal given by its median and 90th percentile: median * exp(sigma * z) with
    // sigma = ln(p90 / median) / 1.2815515655446004 (z of the 90th percentile).
    double lognormal(double median, double p90) {
        if (median <= 0) return 0;
        if (p90 <= median) return median;
        double sigma = std::log(p90 / median) / 1.2815515655446004;
        return median * std::exp(sigma * normal());
    }
    // Poisson with mean `lambda`: Knuth's product of uniforms, on chunks of at most 20 (the
    // sum of independent Poisson counts is Poisson), so large means neither underflow nor
    // lose precision.
    std::uint64_t poisson(double lambda) {
        std::uint64_t total = 0;
        while (lambda > 0) {
            double chunk = lambda > 20 ? 20 : lambda;
            lambda -= chunk;
            double limit = std::exp(-chunk), p = uniform();
            while (p > limit) {
                ++total;
                p *= uniform();
            }
        }
        return total;
    }
    // An index drawn with probability proportional to `weights[i]` (n > 0, sum > 0).
    template <typename Weights>
    std::size_t pick(const Weights& weights) {
        double sum = 0;
        for (double w : weights)
            sum += w;
        double x = uniform() * sum;
        std::size_t i = 0, last = 0;
        for (double w : weights) {
            if (w > 0) last = i;
            if (x < w) return i;
            x -= w;
            ++i;
        }
        return last;
    }

  private:
    std::uint64_t state_;
};

}  // namespace sim
ITSM_END_NAMESPACE
