// Runs the frames harness once on every file of the given corpus
// directories or files (default: the source tree's corpus/frames), so the
// corpus is a regression test in every build, g++ included. Fails when a
// directory holds no input at all, so a lost corpus cannot pass unnoticed.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> inputs_of(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path)) {
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else if (std::filesystem::is_regular_file(path)) {
    files.push_back(path);
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> roots(argv + 1, argv + argc);
  if (roots.empty()) roots.emplace_back(LWNET_FRAMES_CORPUS);
  std::size_t ran = 0;
  for (const std::string& root : roots) {
    std::vector<std::filesystem::path> files = inputs_of(root);
    if (files.empty()) {
      std::fprintf(stderr, "no inputs in %s\n", root.c_str());
      return 1;
    }
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
      std::printf("%s (%zu bytes)\n", file.filename().c_str(), data.size());
      std::fflush(stdout);
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++ran;
    }
  }
  std::printf("ran %zu inputs\n", ran);
  return 0;
}
