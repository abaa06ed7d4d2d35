# frozen_string_literal: true

require "open3"
require "rbconfig"
require_relative "test_helper"

# Processes: a storm of Ruby processes, each with several threads, sharing the file cache
# makes one login.
class ProcessesTest < AuthTokenTest
  PROCESSES = 6
  THREADS = 4
  WORKER = File.expand_path("storm_worker.rb", __dir__)

  def test_a_storm_of_processes_shares_one_login_through_the_file_cache
    cache_dir = Dir.mktmpdir("authtoken-rb-storm")
    config = client_config(cache: "file", cache_dir: cache_dir).except(:password)
    workers = Array.new(PROCESSES) do
      Open3.popen3({ "AUTHTOKEN_PASSWORD" => PASSWORD }, RbConfig.ruby, WORKER, JSON.generate(config), THREADS.to_s)
    end
    sleep 0.5 # let every interpreter start; they wait for end-of-file on stdin
    workers.each { |stdin, _, _, _| stdin.close } # go
    outcomes = workers.map do |_, stdout, stderr, thread|
      out = stdout.read
      err = stderr.read
      assert_predicate thread.value, :success?, err
      JSON.parse(out)
    end
    assert_equal([], outcomes.flat_map { |o| o["errors"] })
    headers = outcomes.flat_map { |o| o["headers"] }
    assert_equal PROCESSES * THREADS, headers.size
    assert_equal 1, headers.uniq.size
    assert_match(/\AToken [0-9a-f]{64}\z/, headers.first)
    assert_equal 1, emulator.logins("tpstreams", username)
    refute_empty Dir.glob("**/*", base: cache_dir), "the token was written to the file cache"
  ensure
    FileUtils.remove_entry(cache_dir) if cache_dir
  end
end
