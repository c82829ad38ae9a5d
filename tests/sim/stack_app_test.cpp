// Apps in the core (StackApp): polled at the end of every poll, their
// deadlines joined to the stack's, silent while timers are disabled, and
// free to detach themselves or others from inside their poll.
#include <gtest/gtest.h>

#include <vector>

#include "config/options.h"
#include "support/hosts.h"
#include "support/status.h"

namespace lwnet::test::stack_app_test {
namespace {

// Records its polls; fires "timer" once at `due`, then idles. Detaches
// `victim` (which may be itself) on its first poll when set.
class RecordingApp final : public StackApp {
 public:
  explicit RecordingApp(Instant due = Instant::max()) : due_(due) {}
  void poll(Stack& stack, Instant now) override {
    polls.push_back(now);
    if (due_ <= now) {
      fired.push_back(now);
      due_ = Instant::max();
    }
    if (victim != nullptr) {
      stack.detach_app(*victim);
      victim = nullptr;
    }
  }
  Instant next_deadline() const override { return due_; }

  std::vector<Instant> polls;
  std::vector<Instant> fired;
  StackApp* victim = nullptr;

 private:
  Instant due_;
};

TEST(StackAppSim, PolledAfterEveryPollAndItsDeadlineWakesTheStack) {
  TwoHosts net;
  net.sim.settle();
  const Instant start = net.sim.now();
  RecordingApp app(start + Duration::seconds(30));
  ASSERT_OK(net.a.attach_app(app));
  EXPECT_ERROR(net.a.attach_app(app), Error::AlreadyConnected);
  EXPECT_LE(net.a.next_deadline(), start + Duration::seconds(30));

  net.a.poll(start);
  ASSERT_EQ(app.polls.size(), 1u);
  EXPECT_TRUE(app.fired.empty());

  net.sim.run_until(start + Duration::seconds(31));
  ASSERT_EQ(app.fired.size(), 1u);
  EXPECT_EQ(app.fired[0], start + Duration::seconds(30));

  net.a.detach_app(app);
  net.a.detach_app(app);  // not attached: nothing happens
  const std::size_t polls = app.polls.size();
  net.a.poll(net.sim.now());
  EXPECT_EQ(app.polls.size(), polls);
}

TEST(StackAppSim, DisabledTimersSilenceApps) {
  TwoHosts net;
  net.sim.settle();
  const Instant start = net.sim.now();
  RecordingApp app(start + Duration::seconds(1));
  ASSERT_OK(net.a.attach_app(app));
  net.a.set_timers_enabled(false);
  EXPECT_EQ(net.a.next_deadline(), Instant::max());
  net.a.poll(start + Duration::seconds(2));
  EXPECT_TRUE(app.polls.empty());
  net.a.set_timers_enabled(true);
  net.a.poll(start + Duration::seconds(3));
  ASSERT_EQ(app.fired.size(), 1u);
  EXPECT_EQ(app.fired[0], start + Duration::seconds(3));
  net.a.detach_app(app);
}

TEST(StackAppSim, AnAppMayDetachItselfOrTheNextOneWhilePolled) {
  TwoHosts net;
  net.sim.settle();
  RecordingApp first;
  RecordingApp second;
  RecordingApp third;
  ASSERT_OK(net.a.attach_app(first));
  ASSERT_OK(net.a.attach_app(second));
  ASSERT_OK(net.a.attach_app(third));
  first.victim = &second;  // detached before its turn: not polled
  third.victim = &third;   // detaches itself after its poll
  net.a.poll(net.sim.now());
  EXPECT_EQ(first.polls.size(), 1u);
  EXPECT_TRUE(second.polls.empty());
  EXPECT_EQ(third.polls.size(), 1u);
  net.a.poll(net.sim.now());
  EXPECT_EQ(first.polls.size(), 2u);
  EXPECT_TRUE(second.polls.empty());
  EXPECT_EQ(third.polls.size(), 1u);
  // Both gaps were compacted: the table has room again for every slot but one.
  std::vector<RecordingApp> more(config::max_stack_apps - 1);
  for (RecordingApp& app : more) ASSERT_OK(net.a.attach_app(app));
  RecordingApp one_too_many;
  EXPECT_ERROR(net.a.attach_app(one_too_many), Error::TableFull);
  for (RecordingApp& app : more) net.a.detach_app(app);
  net.a.detach_app(first);
}

}  // namespace
}  // namespace lwnet::test::stack_app_test
