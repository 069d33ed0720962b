#include "thread_pool.h"

#include <sched.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "error.h"

namespace vane {

namespace {

constexpr int32_t kMaxThreads = 1024;

int32_t default_threads() {
    if (const char *env = getenv("VANE_THREADS")) {
        char *end = nullptr;
        long n = strtol(env, &end, 10);
        if (end != env && *end == '\0' && n >= 1 && n <= kMaxThreads) return static_cast<int32_t>(n);
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n >= 1) return n < kMaxThreads ? n : kMaxThreads;
    }
    unsigned hc = std::thread::hardware_concurrency();
    return hc >= 1 ? static_cast<int32_t>(hc) : 1;
}

class Pool {
public:
    Pool() : threads_(default_threads()) {}
    ~Pool() { stop_workers(); }

    int32_t threads() const { return threads_.load(); }

    vane_status set_threads(int32_t n) {
        std::lock_guard<std::mutex> busy(busy_);  // waits for a running job
        stop_workers();
        threads_.store(n);
        return VANE_OK;
    }

    void run(int64_t n, int64_t grain, RangeFn fn, void *ctx) {
        if (n <= 0) return;
        if (grain < 1) grain = 1;
        const int64_t chunks = (n + grain - 1) / grain;
        // Serial unless there is work to share, this thread is not already inside a pool job
        // (a nested call), and no other thread's job holds the pool.
        std::unique_lock<std::mutex> busy(busy_, std::defer_lock);
        if (chunks == 1 || threads_.load() == 1 || t_inside_job || !busy.try_lock() || !ensure_workers()) {
            if (busy.owns_lock()) busy.unlock();
            // Same chunks as the parallel path: callers may rely on chunk boundaries.
            for (int64_t b = 0; b < n; b += grain) fn(ctx, b, b + grain < n ? b + grain : n);
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = Job{fn, ctx, n, grain};
            next_.store(0);
            pending_.store(static_cast<int32_t>(workers_.size()));
            failure_ = nullptr;
            generation_.store(generation_.load() + 1, std::memory_order_release);
        }
        if (sleepers_.load() > 0) wake_.notify_all();  // spinning workers see the new generation by themselves
        work_on_job();
        // Workers usually finish within microseconds of the caller: spin before sleeping.
        if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
            std::unique_lock<std::mutex> lock(mutex_);
            done_.wait(lock, [&] { return pending_.load() == 0; });
        }
        std::lock_guard<std::mutex> lock(mutex_);
        // Every thread has left the job: an exception from any chunk goes back to the caller.
        if (failure_) std::rethrow_exception(failure_);
    }

private:
    struct Job {
        RangeFn fn = nullptr;
        void *ctx = nullptr;
        int64_t n = 0;
        int64_t grain = 1;
    };

    // Starts the workers on first use; false if the system refused to create threads.
    bool ensure_workers() {
        const size_t want = static_cast<size_t>(threads_.load() - 1);
        if (workers_.size() == want) return true;
        // A worker starts from the generation current now, before the job it is created for
        // is published; reading it on the new thread instead could miss that job.
        uint64_t start;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            start = generation_.load();
        }
        try {
            while (workers_.size() < want) workers_.emplace_back([this, start] { worker_loop(start); });
        } catch (...) {
            stop_workers();
            return false;
        }
        return true;
    }

    void stop_workers() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_.store(true);
        }
        wake_.notify_all();
        for (std::thread &t : workers_) t.join();
        workers_.clear();
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_.store(false);
    }

    void work_on_job() {
        const Job job = job_;
        t_inside_job = true;
        try {
            for (;;) {
                const int64_t begin = next_.fetch_add(job.grain);
                if (begin >= job.n) break;
                const int64_t end = begin + job.grain < job.n ? begin + job.grain : job.n;
                job.fn(job.ctx, begin, end);
            }
        } catch (...) {
            next_.store(job.n);  // the others stop taking chunks
            std::lock_guard<std::mutex> lock(mutex_);
            if (!failure_) failure_ = std::current_exception();
        }
        t_inside_job = false;
    }

    // Spins until done() or about kSpinMicros pass; whether done() became true. A decode step
    // runs many short jobs back to back: a worker that sleeps between them pays a futex wake-up
    // (tens of microseconds on a VM) per job, one that spins catches the next job at once. The
    // spin yields the core after a short while, so that on an oversubscribed machine the
    // thread being waited for can run; and it is bounded, so that idle workers sleep.
    template <class Done>
    static bool spin_until(Done done) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
        for (int i = 0;; i++) {
            if (done()) return true;
            if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) return false;
            if (i < 256) cpu_relax();
            else sched_yield();
        }
    }

    static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }

    void worker_loop(uint64_t seen) {
        for (;;) {
            if (!spin_until([&] { return generation_.load(std::memory_order_acquire) != seen || stopping_.load(); })) {
                std::unique_lock<std::mutex> lock(mutex_);
                sleepers_.fetch_add(1);
                wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
                sleepers_.fetch_sub(1);
            }
            {
                std::lock_guard<std::mutex> lock(mutex_);  // job_ was written under this lock
                if (stopping_.load()) return;
                seen = generation_.load();
            }
            work_on_job();
            if (pending_.fetch_sub(1) == 1) {
                std::lock_guard<std::mutex> lock(mutex_);  // the caller checks pending_ under this lock before sleeping
                done_.notify_one();
            }
        }
    }

    std::atomic<int32_t> threads_;
    std::mutex busy_;   // held by the thread that owns the current job
    std::mutex mutex_;  // guards job_ and failure_; generation_ and stopping_ change under it
    std::condition_variable wake_, done_;
    std::vector<std::thread> workers_;
    Job job_;
    std::atomic<int64_t> next_{0};
    std::atomic<uint64_t> generation_{0};  // advanced (under mutex_) when a job is published
    std::atomic<int32_t> pending_{0};      // workers still inside the current job
    std::atomic<int32_t> sleepers_{0};     // workers blocked on wake_ (the rest are spinning)
    std::atomic<bool> stopping_{false};
    static constexpr int kSpinMicros = 200;
    std::exception_ptr failure_;  // the first exception a chunk threw in the current job
    static thread_local bool t_inside_job;
};

thread_local bool Pool::t_inside_job = false;

// Never destroyed: joining workers from a static destructor at process exit could hang if a
// kernel is still running on another thread.
Pool &pool() {
    static Pool *p = new Pool();
    return *p;
}

}  // namespace

void parallel_for(int64_t n, int64_t grain, RangeFn fn, void *ctx) { pool().run(n, grain, fn, ctx); }

int32_t pool_threads() { return pool().threads(); }

vane_status pool_set_threads(int32_t n) {
    if (n < 1 || n > kMaxThreads)
        return fail(VANE_E_INVALID_ARGUMENT, "threads must be in [1, %d], got %d", kMaxThreads, n);
    return pool().set_threads(n);
}

}  // namespace vane
