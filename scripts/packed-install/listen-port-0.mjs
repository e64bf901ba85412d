// Preloaded (`node --import`) into a quick start: its `.listen(3000)` listens on 127.0.0.1 port 0
// instead, and the port it got is sent to the parent process, so checks never collide on a port.
import { Server } from 'node:net'

const listen = Server.prototype.listen
Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'object' && args[0] !== null) args[0] = { ...args[0], port: 0, host: '127.0.0.1' }
  else if (typeof args[0] === 'number' || typeof args[0] === 'string') {
    args[0] = 0
    if (typeof args[1] === 'string') args[1] = '127.0.0.1'
    else args.splice(1, 0, '127.0.0.1')
  }
  this.once('listening', () => process.send?.({ listening: this.address().port }))
  return listen.apply(this, args)
}
