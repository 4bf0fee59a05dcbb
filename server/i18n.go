package server

import (
	"net/http"
	"strings"
)

// messages holds the page text in each language; keys are English-ish ids.
var messages = map[string]map[string]string{
	"zh": {
		"studio": "妙笔创作室", "login": "登录", "logout": "退出", "user": "用户名", "password": "密码",
		"works": "我的作品", "new_work": "新作品", "title": "标题", "keywords": "关键词", "keywords_hint": "如：灯、跳舞、翅膀",
		"form": "体裁", "rhyme": "韵书", "autopilot": "自动完成（无人工步骤）", "start": "开始", "keys": "API 密钥",
		"stage_plan": "构思", "stage_create": "生成", "stage_edit": "修改", "stage_review": "审核", "stage_publish": "发布",
		"suggestions": "意象建议", "related": "相关字", "references": "参考诗作", "choose_images": "选择意象", "save_plan": "保存构思",
		"engine": "引擎", "engine_own": "妙笔自带", "model": "模型", "written_by": "作者", "repaired": "字经妙笔修订",
		"create": "生成候选与画作", "candidates": "候选诗作", "use": "采用", "painting": "画作", "repaint": "重新作画", "seed": "种子",
		"poem": "诗作", "lock": "锁定", "save_edit": "保存修改", "regenerate": "重新生成未锁定的字", "alternatives": "换字建议",
		"line": "行", "char": "字", "ask": "求建议", "vertical": "竖排", "horizontal": "横排", "review": "审核", "go_review": "进入审核",
		"check": "格律检查", "originality": "原创性", "closest": "最相近的古诗", "sensitive": "敏感词审查", "none": "无",
		"labels": "将写入的标识", "publish": "发布", "ack": "我已审阅以上提示，仍然发布", "download": "下载作品包",
		"rate": "评分", "favourite": "收藏", "ratings": "我的评分", "history": "版本历史", "share": "人机比例",
		"person": "人", "ai": "AI", "version": "版本", "progress": "进度", "working": "处理中…", "failed": "失败",
		"no_works": "还没有作品。输入几个关键词开始吧。", "new_key": "新建密钥", "name": "名称", "quota": "每日额度",
		"key_once": "密钥只显示这一次，请保存：", "revoke": "撤销", "used": "已用", "lang": "English", "back": "返回",
		"ready": "可以发布", "not_ready": "请先查看：", "published": "已发布", "bad_login": "用户名或密码错误",
		"expired": "会话已过期，请重新登录", "who": "作者", "action": "操作", "note": "说明", "time": "时间",
		"republish": "再次发布", "users": "用户", "admin": "管理员", "create_user": "新建用户", "user_created": "已创建用户", "your_photo": "你的照片（题画，可选）", "upload": "上传", "action_photo": "照片", "delete": "删除作品", "confirm_delete": "确认删除这件作品及其全部版本与文件", "change_password": "修改密码", "old_password": "原密码", "new_password": "新密码（至少 10 个字符）", "old_wrong": "原密码不对", "password_changed": "密码已修改", "draft": "你的草稿（可选）", "draft_hint": "每行一句；用 _ 或 □ 留出要妙笔补写的字", "action_draft": "草稿", "copied_runs": "与古诗相同的句段",
		"action_plan": "构思", "action_create": "生成", "action_choose": "选用", "action_edit": "修改", "action_revise": "重新生成",
		"action_alternative": "换字", "action_paint": "作画", "action_stage": "转阶段", "action_publish": "发布", "action_adjust": "调画", "adjust": "调整画作", "brightness": "亮度", "contrast": "对比度", "saturation": "饱和度",
		"layer_visible": "可见标识", "layer_metadata": "元数据", "layer_watermark": "水印", "layer_c2pa": "C2PA 签名",
		"sound": "声音", "recitation": "朗诵", "music": "配乐", "mode": "调式", "mode_season": "随诗的季节", "tempo": "速度（每分钟拍数，0 为随季节）",
		"film": "影片", "aspect": "画幅", "aspect_wide": "横幅手卷", "aspect_tall": "竖幅立轴（手机）", "film_seconds": "时长（秒，0 为随朗诵）",
		"film_make": "生成影片", "film_again": "重新生成影片", "action_film": "影片",
		"film_note": "镜头缓缓移过画作，雾与雪、花、雨随诗意而动，诗句随朗诵逐字写出，配乐在下。影片开头 3 秒带完整的「AI生成」标识，其后角标常在；声音含水印，文件含元数据与 C2PA 签名，发布时以 film.mp4 写入作品包。",
		"trim":      "配乐保留秒数（0 为全部）", "set_sound": "保存声音设置", "action_sound": "声音",
		"sound_note": "换一个种子即重新作曲。朗诵与配乐在发布时写入作品包（recitation.mp3、music.mp3），与其他文件一样带隐式标识、水印与 C2PA 签名；这里可先试听。",
	},
	"en": {
		"studio": "Miaobi Studio", "login": "Sign in", "logout": "Sign out", "user": "User name", "password": "Password",
		"works": "My works", "new_work": "New work", "title": "Title", "keywords": "Keywords", "keywords_hint": "e.g. 灯、跳舞、翅膀",
		"form": "Form", "rhyme": "Rhyme book", "autopilot": "Autopilot (no human step)", "start": "Start", "keys": "API keys",
		"stage_plan": "Plan", "stage_create": "Create", "stage_edit": "Edit", "stage_review": "Review", "stage_publish": "Publish",
		"suggestions": "Imagery", "related": "Related", "references": "Reference poems", "choose_images": "Choose images", "save_plan": "Save plan",
		"engine": "Engine", "engine_own": "Miaobi's own", "model": "Model", "written_by": "written by", "repaired": "characters repaired",
		"create": "Write candidates and paint", "candidates": "Candidates", "use": "Use", "painting": "Painting", "repaint": "Paint again", "seed": "Seed",
		"poem": "Poem", "lock": "Lock", "save_edit": "Save edits", "regenerate": "Regenerate unlocked characters", "alternatives": "Alternatives",
		"line": "Line", "char": "Char", "ask": "Suggest", "vertical": "Vertical", "horizontal": "Horizontal", "review": "Review", "go_review": "Go to review",
		"check": "Prosody check", "originality": "Originality", "closest": "Closest corpus poems", "sensitive": "Sensitive words", "none": "none",
		"labels": "Labels to be written", "publish": "Publish", "ack": "I have read the notes above; publish anyway", "download": "Download bundle",
		"rate": "Rate", "favourite": "Favourite", "ratings": "My ratings", "history": "History", "share": "Human / AI share",
		"person": "person", "ai": "AI", "version": "Version", "progress": "Progress", "working": "Working…", "failed": "Failed",
		"no_works": "No works yet. Give a few keywords to start.", "new_key": "New key", "name": "Name", "quota": "Daily quota",
		"key_once": "The key is shown only this once; keep it:", "revoke": "Revoke", "used": "Used", "lang": "中文", "back": "Back",
		"ready": "Ready to publish", "not_ready": "Look at these first:", "published": "Published", "bad_login": "Wrong user name or password",
		"expired": "Your session has expired; sign in again", "who": "Who", "action": "Action", "note": "Note", "time": "Time",
		"republish": "Publish again", "users": "Users", "admin": "Administrator", "create_user": "Create user", "user_created": "Created the user", "your_photo": "Your photo (for 题画, optional)", "upload": "Upload", "action_photo": "photo", "delete": "Delete the work", "confirm_delete": "Yes, delete this work with every version and file", "change_password": "Change password", "old_password": "Current password", "new_password": "New password (10 characters or more)", "old_wrong": "The current password is wrong", "password_changed": "Password changed", "draft": "Your draft (optional)", "draft_hint": "one line of verse per line; mark characters for Miaobi to write with _ or □", "action_draft": "draft", "copied_runs": "runs shared with corpus lines",
		"action_plan": "plan", "action_create": "create", "action_choose": "choose", "action_edit": "edit", "action_revise": "regenerate",
		"action_alternative": "alternative", "action_paint": "paint", "action_stage": "stage", "action_publish": "publish", "action_adjust": "adjust", "adjust": "Adjust", "brightness": "Brightness", "contrast": "Contrast", "saturation": "Saturation",
		"layer_visible": "visible", "layer_metadata": "metadata", "layer_watermark": "watermark", "layer_c2pa": "C2PA",
		"sound": "Sound", "recitation": "Recitation", "music": "Music", "mode": "Mode", "mode_season": "from the poem's season", "tempo": "Tempo (beats a minute, 0: the season's)",
		"film": "Film", "aspect": "Aspect", "aspect_wide": "handscroll", "aspect_tall": "hanging scroll (phones)", "film_seconds": "Seconds (0: the recitation's length)",
		"film_make": "Make the film", "film_again": "Make the film again", "action_film": "film",
		"film_note": "The camera moves slowly over the painting; mist, snow, petals or rain follow the poem; each character is written as the recitation reaches it, the music under the voice. The full \"AI生成\" label shows for the first 3 s, then a corner mark; the sound carries the watermark, the file the metadata and a C2PA manifest; publishing puts it in the bundle as film.mp4.",
		"trim":      "Seconds of music to keep (0: all)", "set_sound": "Save sound", "action_sound": "sound",
		"sound_note": "A new seed composes the music again. The recitation and the music go into the bundle when it is published (recitation.mp3, music.mp3), labelled like every other file: metadata, watermark and C2PA; listen to them here first.",
	},
}

// lang picks the page language: ?lang=, then the cookie, then
// Accept-Language; Chinese by default.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "zh" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "zh" || c.Value == "en") {
		return c.Value
	}
	al := strings.ToLower(r.Header.Get("Accept-Language"))
	if al != "" && !strings.Contains(al, "zh") {
		return "en"
	}
	return "zh"
}

func translate(lang, key string) string {
	if m, ok := messages[lang][key]; ok {
		return m
	}
	return key
}
