"""Constructors of the AST node classes (``innoscript.syntax.ast``).

GENERATED from the node classes by ``python -m innoscript.syntax.generate``: do
not edit.  Plain code, so that the bytecode cache keeps it: compiled at every
start, these cost a short lint more than the lint itself.
"""


def Meta__init__(self, text, span, known):
    self.text = text
    self.span = span
    self.known = known


def Url__init__(self, token, metas, parts):
    self.token = token
    self.metas = metas
    self.parts = parts


def Option__init__(self, name, value, span, kind, parsed):
    self.name = name
    self.value = value
    self.span = span
    self.kind = kind
    self.parsed = parsed


def Line__init__(self, number, offset, text, newline, tokens):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens


def Line__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens)


def Blank__init__(self, number, offset, text, newline, tokens):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens


def Blank__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens)


def Comment__init__(self, number, offset, text, newline, tokens, body):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.body = body


def Comment__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.body)


def Directive__init__(self, number, offset, text, newline, tokens, body, action, codes, reason):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.body = body
    self.action = action
    self.codes = codes
    self.reason = reason


def Directive__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.body, self.action, self.codes, self.reason)


def SyntaxErrorLine__init__(self, number, offset, text, newline, tokens, message, error):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.message = message
    self.error = error


def SyntaxErrorLine__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.message, self.error)


def Command__init__(self, number, offset, text, newline, tokens, args, options, extra):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra


def Command__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra)


def ModCommand__init__(self, number, offset, text, newline, tokens, args, options, extra, keywords, module, verb, spec):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keywords = keywords
    self.module = module
    self.verb = verb
    self.spec = spec


def ModCommand__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keywords, self.module, self.verb, self.spec)


def Times__init__(self, number, offset, text, newline, tokens, args, options, extra, keywords, module, verb, spec, allow, initial):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keywords = keywords
    self.module = module
    self.verb = verb
    self.spec = spec
    self.allow = allow
    self.initial = initial


def Times__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keywords, self.module, self.verb, self.spec, self.allow, self.initial)


def Check__init__(self, number, offset, text, newline, tokens, args, options, extra, keywords, module, verb, spec, final, serial):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keywords = keywords
    self.module = module
    self.verb = verb
    self.spec = spec
    self.final = final
    self.serial = serial


def Check__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keywords, self.module, self.verb, self.spec, self.final, self.serial)


def Download__init__(self, number, offset, text, newline, tokens, args, options, extra, keywords, module, verb, spec, url, final, serial):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keywords = keywords
    self.module = module
    self.verb = verb
    self.spec = spec
    self.url = url
    self.final = final
    self.serial = serial


def Download__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keywords, self.module, self.verb, self.spec, self.url, self.final, self.serial)


def Scfg__init__(self, number, offset, text, newline, tokens, args, options, extra, keywords, module, verb, spec, url, final, serial, force, always):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keywords = keywords
    self.module = module
    self.verb = verb
    self.spec = spec
    self.url = url
    self.final = final
    self.serial = serial
    self.force = force
    self.always = always


def Scfg__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keywords, self.module, self.verb, self.spec, self.url, self.final, self.serial, self.force, self.always)


def Cfg__init__(self, number, offset, text, newline, tokens, args, options, extra, keywords, module, verb, spec, url, final, serial):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keywords = keywords
    self.module = module
    self.verb = verb
    self.spec = spec
    self.url = url
    self.final = final
    self.serial = serial


def Cfg__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keywords, self.module, self.verb, self.spec, self.url, self.final, self.serial)


def WlanPower__init__(self, number, offset, text, newline, tokens, args, options, extra, keywords, module, verb, spec, activate):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keywords = keywords
    self.module = module
    self.verb = verb
    self.spec = spec
    self.activate = activate


def WlanPower__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keywords, self.module, self.verb, self.spec, self.activate)


def Up1Action__init__(self, number, offset, text, newline, tokens, args, options, extra, keywords, module, verb, spec):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keywords = keywords
    self.module = module
    self.verb = verb
    self.spec = spec


def Up1Action__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keywords, self.module, self.verb, self.spec)


def ConfigLine__init__(self, number, offset, text, newline, tokens, args, options, extra, keyword, verb, module, sub, spec):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keyword = keyword
    self.verb = verb
    self.module = module
    self.sub = sub
    self.spec = spec


def ConfigLine__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keyword, self.verb, self.module, self.sub, self.spec)


def VarsLine__init__(self, number, offset, text, newline, tokens, args, options, extra, keyword, verb, name):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.keyword = keyword
    self.verb = verb
    self.name = name


def VarsLine__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.keyword, self.verb, self.name)


def FinalLine__init__(self, number, offset, text, newline, tokens, args, options, extra, word, final):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.word = word
    self.final = final


def FinalLine__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.word, self.final)


def GenericLine__init__(self, number, offset, text, newline, tokens, args, options, extra, head):
    self.number = number
    self.offset = offset
    self.text = text
    self.newline = newline
    self.tokens = tokens
    self.args = args
    self.options = options
    self.extra = extra
    self.head = head


def GenericLine__placed(self, number, offset):
    return self.__class__(number, offset, self.text, self.newline, self.tokens, self.args, self.options, self.extra, self.head)
