#include "thread_pool.h"

#include <sched.h>
#include <stdlib.h>

#include <atomic>
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
            pending_ = static_cast<int32_t>(workers_.size());
            failure_ = nullptr;
            ++generation_;
        }
        wake_.notify_all();
        work_on_job();
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return pending_ == 0; });
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
            start = generation_;
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
            stopping_ = true;
        }
        wake_.notify_all();
        for (std::thread &t : workers_) t.join();
        workers_.clear();
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = false;
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

    void worker_loop(uint64_t seen) {
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
                if (stopping_) return;
                seen = generation_;
            }
            work_on_job();
            std::lock_guard<std::mutex> lock(mutex_);
            if (--pending_ == 0) done_.notify_one();
        }
    }

    std::atomic<int32_t> threads_;
    std::mutex busy_;   // held by the thread that owns the current job
    std::mutex mutex_;  // guards job_, generation_, pending_, stopping_
    std::condition_variable wake_, done_;
    std::vector<std::thread> workers_;
    Job job_;
    std::atomic<int64_t> next_{0};
    uint64_t generation_ = 0;
    int32_t pending_ = 0;
    bool stopping_ = false;
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
