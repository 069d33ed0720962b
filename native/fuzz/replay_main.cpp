// Runs a fuzz harness once over each input file named, or each file of each directory named
// (a missing directory holds none), without libFuzzer: the regular and sanitizer builds replay
// the committed regressions and the seeds this way (ctest fuzz_replay_*). A harness aborts on a
// finding, so a failing input fails the test.
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

bool run_file(const std::string &path) {
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path.c_str());
        return false;
    }
    std::vector<uint8_t> bytes;
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    fclose(f);
    // An exact-size copy, as libFuzzer hands inputs over (a read past the end is an ASan report).
    uint8_t *data = new uint8_t[bytes.size() ? bytes.size() : 1];
    std::copy(bytes.begin(), bytes.end(), data);
    LLVMFuzzerTestOneInput(data, bytes.size());
    delete[] data;
    return true;
}

}  // namespace

int main(int argc, char **argv) {
    int inputs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) continue;  // no regressions of this harness yet
        if (!S_ISDIR(st.st_mode)) {
            if (!run_file(argv[i])) return 1;
            inputs++;
            continue;
        }
        std::vector<std::string> files;
        if (DIR *d = opendir(argv[i])) {
            while (dirent *e = readdir(d))
                if (e->d_name[0] != '.') files.push_back(std::string(argv[i]) + "/" + e->d_name);
            closedir(d);
        }
        std::sort(files.begin(), files.end());
        for (const std::string &f : files) {
            if (!run_file(f)) return 1;
            inputs++;
        }
    }
    printf("replay: %d inputs ran\n", inputs);
    return 0;
}
