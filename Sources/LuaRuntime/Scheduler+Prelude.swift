extension Scheduler {
    /// Wraps `coroutine.resume` and `coroutine.wrap` so that a host call made inside a script's own
    /// coroutine yields through it to the scheduler, and its result comes back down the same way.
    static let prelude = """
    local SENTINEL, resume = ...
    local create, yield, status = coroutine.create, coroutine.yield, coroutine.status
    local function relay(co, ok, ...)
      if ok and select("#", ...) == 1 and (...) == SENTINEL and status(co) == "suspended" then
        return relay(co, resume(co, yield(SENTINEL)))
      end
      return ok, ...
    end
    coroutine.resume = function(co, ...) return relay(co, resume(co, ...)) end
    coroutine.wrap = function(f)
      local co = create(f)
      local function pass(ok, ...)
        if not ok then error((...), 0) end
        return ...
      end
      return function(...) return pass(coroutine.resume(co, ...)) end
    end
    """
}
