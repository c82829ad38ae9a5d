// The mailbox on its own: FIFO, bounded, closed, and when it notifies.
#include "api/mailbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "support/status.h"

namespace lwnet::api::mailbox_test {
namespace {

Message numbered(std::intptr_t n) {
  return Message{nullptr, reinterpret_cast<void*>(n), nullptr};  // NOLINT: a tag, never dereferenced
}
std::intptr_t number_of(const Message& m) { return reinterpret_cast<std::intptr_t>(m.context); }

TEST(Mailbox, FifoBoundedAndNotifiesOnlyWhenItStopsBeingEmpty) {
  int notifies = 0;
  Mailbox box(3, [](void* n) { ++*static_cast<int*>(n); }, &notifies);
  EXPECT_ERROR(box.try_push(numbered(1)), Error::Closed);  // starts closed
  box.open();
  ASSERT_OK(box.try_push(numbered(1)));
  ASSERT_OK(box.push(numbered(2)));
  ASSERT_OK(box.try_push(numbered(3)));
  EXPECT_ERROR(box.try_push(numbered(4)), Error::WouldBlock);
  EXPECT_EQ(notifies, 1);
  EXPECT_EQ(box.size(), 3U);
  EXPECT_EQ(number_of(*box.try_pop()), 1);
  ASSERT_OK(box.try_push(numbered(4)));  // wraps around the ring
  EXPECT_EQ(notifies, 1);
  EXPECT_EQ(number_of(*box.try_pop()), 2);
  EXPECT_EQ(number_of(*box.try_pop()), 3);
  EXPECT_EQ(number_of(*box.try_pop()), 4);
  EXPECT_FALSE(box.try_pop().has_value());
  ASSERT_OK(box.try_push(numbered(5)));
  EXPECT_EQ(notifies, 2);
  // Closed: refuses, but what it holds can still be taken.
  box.close();
  EXPECT_ERROR(box.push(numbered(6)), Error::Closed);
  EXPECT_EQ(number_of(*box.try_pop()), 5);
}

TEST(Mailbox, PushWaitsForRoomAndCloseReleasesIt) {
  Mailbox box(1);
  box.open();
  ASSERT_OK(box.push(numbered(1)));
  std::atomic<int> done{0};
  std::thread waiter([&] {
    EXPECT_OK(box.push(numbered(2)));  // waits until the pop below
    done.store(1);
    EXPECT_ERROR(box.push(numbered(3)), Error::Closed);  // full until closed
    done.store(2);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(done.load(), 0);
  EXPECT_EQ(number_of(*box.try_pop()), 1);
  while (done.load() < 1) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(done.load(), 1);
  box.close();
  waiter.join();
  EXPECT_EQ(done.load(), 2);
  EXPECT_EQ(number_of(*box.try_pop()), 2);
}

}  // namespace
}  // namespace lwnet::api::mailbox_test
